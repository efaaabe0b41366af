/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ng_priv.h  ng protocol internals: commands and replies
 */

struct benc;

/** A command being answered */
struct ng_cmd {
	struct relay *relay;          /**< Relay                         */
	const struct benc *dict;      /**< The request dictionary        */
	struct mbuf *reply;           /**< Reply dictionary, open        */
	const char *error;            /**< Set: reply with this error    */
	char warning[256];            /**< Unknown flags, for "warning"  */
	bool draining;                /**< New calls are refused         */
};

int ng_cmd_offer(struct ng_cmd *c);
int ng_cmd_answer(struct ng_cmd *c);
int ng_cmd_delete(struct ng_cmd *c);
int ng_cmd_query(struct ng_cmd *c);
int ng_cmd_list(struct ng_cmd *c);
