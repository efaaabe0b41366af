/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file cfg_priv.h  Configuration parser internals, shared by cfg*.c
 */

struct cfg_key;

/** Where the parser is: for error messages */
struct cfg_ctx {
	struct cfg *cfg;      /**< Configuration being filled in   */
	const char *name;     /**< File name, for error messages   */
	unsigned line;        /**< Current line number             */
	char *err;            /**< Error message buffer            */
	size_t errsz;         /**< Its size                        */
};

typedef int (cfg_value_h)(struct cfg_ctx *ctx, const struct cfg_key *key,
			  const struct pl *val, void *field);

/** One configuration key */
struct cfg_key {
	const char *name;   /**< Key as written in the file            */
	cfg_value_h *h;     /**< Parses the value into field           */
	size_t off;         /**< Offset of the field in struct cfg     */
	size_t size;        /**< Size of the field (strings)           */
	uint32_t min;       /**< Smallest number accepted              */
	uint32_t max;       /**< Largest number accepted               */
	bool multi;         /**< May be given on several lines         */
	const uint16_t *ports;  /**< Default port per transport        */
};

int  cfg_error(struct cfg_ctx *ctx, const struct cfg_key *key,
	       const char *fmt, ...);
int  cfg_u32(struct cfg_ctx *ctx, const struct cfg_key *key,
	     const struct pl *pl, uint32_t min, uint32_t max, uint32_t *val);
int  cfg_str(struct cfg_ctx *ctx, const struct cfg_key *key,
	     const struct pl *pl, char *buf, size_t size);
int  cfg_addr(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *pl, struct sa *sa);
int  cfg_hostport(struct cfg_ctx *ctx, const struct cfg_key *key,
		  const struct pl *pl, struct pl *host, uint16_t *port);
int  cfg_tp(struct cfg_ctx *ctx, const struct cfg_key *key,
	    const struct pl *pl, enum cfg_tp *tp);
int  cfg_option(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *word, struct pl *name, struct pl *val);
int  cfg_words2(struct cfg_ctx *ctx, const struct cfg_key *key,
		const struct pl *val, const char *usage, struct pl *a,
		struct pl *b);
void *cfg_entry_alloc(struct cfg_ctx *ctx, size_t size);
bool cfg_name_valid(const struct pl *name);
int  cfg_host_parse(struct cfg_ctx *ctx, const struct cfg_key *key,
		    const struct pl *val, const struct cfg_gwset *set,
		    struct cfg_host **hp);

cfg_value_h cfg_bool_h, cfg_u32_h, cfg_str_h, cfg_sa_h, cfg_nets_h;
cfg_value_h cfg_level_h, cfg_target_h, cfg_facility_h, cfg_media_h;
int cfg_media(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, enum cfg_media *m);
cfg_value_h cfg_divhi_h, cfg_kpath_h, cfg_rio_h;
int cfg_divhi(struct cfg_ctx *ctx, const struct cfg_key *key,
	      const struct pl *val, enum cfg_divhi *d);
cfg_value_h cfg_iface_h, cfg_listen_h, cfg_umhost_h, cfg_secret_h;
cfg_value_h cfg_http_h;
cfg_value_h cfg_gwset_h, cfg_gw_h, cfg_route_h, cfg_allow_h, cfg_domain_h;
cfg_value_h cfg_passhdr_h, cfg_nat64_h;

int cfg_check(struct cfg_ctx *ctx);
