/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file app_priv.h  The umedge daemon's parts, shared by app.c and its
 *                   control commands (appctl.c)
 */

/** The daemon */
struct app {
	struct cfg *cfg;        /**< Configuration in force        */
	struct ctl *ctl;        /**< Control socket                */
	struct relay *relay;    /**< Media relay, NULL if disabled */
	struct ng *ng;          /**< ng control protocol, or NULL  */
	struct turnd *turnd;    /**< TURN server, NULL if disabled */
	struct b2b *b2b;        /**< SIP B2BUA, NULL if disabled   */
	struct credsrv *cred;   /**< Credential service, or NULL   */
	struct metrics *metrics;/**< Prometheus endpoint, or NULL  */
	struct sdnotify *sdn;   /**< systemd notifier              */
	struct ha *ha;          /**< High availability, or NULL    */
	uint64_t started;       /**< Unix time of start            */
	uint64_t reloaded;      /**< Unix time of the last reload  */
	struct app_drain {
		bool on;            /**< Draining                  */
		bool hungup;        /**< The timeout ended the calls */
		uint64_t since;     /**< Unix time it started      */
		uint64_t until;     /**< Unix time it ends at most */
		struct tmr tmr;     /**< Checks once a second      */
	} drain;                /**< Graceful drain            */
	unsigned loads;         /**< Configurations loaded         */
	unsigned refused;       /**< Reloads refused               */
};

int appctl_register(struct app *app);
int app_restart_check(const struct cfg *old, const struct cfg *cfg,
		      char *msg, size_t sz);
int app_metrics(struct mbuf *mb, void *arg);
unsigned app_drain_left(const struct app *app);
