/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file turnuri.c  TURN URIs of the configured listeners, and the
 *                  credential object of the TURN REST API
 *
 *   turn:203.0.113.1:3478?transport=udp
 *   turn:203.0.113.1:3478?transport=tcp
 *   turns:203.0.113.1:5349?transport=tcp
 *
 * A listener's interface gives the address: its advertised one when it
 * has one (1:1 NAT), else its own. The JSON is what the credential
 * service answers and `umedgectl turn-cred --json` prints:
 * {"username":..,"password":..,"ttl":..,"uris":[..]}.
 */
#include <ctype.h>
#include <string.h>
#include <re.h>
#include "cfg.h"
#include "tok.h"
#include "turnuri.h"


static int uri_print(struct re_printf *pf, const struct cfg *cfg,
		     const struct cfg_listen *l)
{
	const struct cfg_iface *ifc = cfg_iface_find(cfg, l->iface);
	const struct sa *a;
	bool v6;

	if (!ifc)
		return 0;

	a = sa_isset(&ifc->advertise, SA_ADDR) ? &ifc->advertise : &ifc->addr;
	v6 = sa_af(a) == AF_INET6;

	return re_hprintf(pf, "%s:%s%j%s:%u?transport=%s",
			  l->tp == CFG_TLS ? "turns" : "turn",
			  v6 ? "[" : "", a, v6 ? "]" : "", l->port,
			  l->tp == CFG_UDP ? "udp" : "tcp");
}


static int uris_print(struct re_printf *pf, const struct cfg *cfg,
		      bool json)
{
	const char *sep = "";
	int err = 0;

	if (!pf || !cfg)
		return EINVAL;

	if (json)
		err |= re_hprintf(pf, "[");

	for (struct le *le = cfg->turn.listeners.head; le; le = le->next) {
		err |= re_hprintf(pf, "%s%s", sep, json ? "\"" : "uri: ");
		err |= uri_print(pf, cfg, le->data);
		err |= re_hprintf(pf, "%s", json ? "\"" : "\n");
		sep = json ? "," : "";
	}

	if (json)
		err |= re_hprintf(pf, "]");

	return err;
}


/**
 * Print the TURN URIs of the configured listeners as a JSON array
 *
 * @param pf  Print handler
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int turnuri_json(struct re_printf *pf, const struct cfg *cfg)
{
	return uris_print(pf, cfg, true);
}


/**
 * Print the TURN URIs of the configured listeners, "uri: URI" lines
 *
 * @param pf  Print handler
 * @param cfg Configuration
 *
 * @return 0 if success, otherwise errorcode
 */
int turnuri_lines(struct re_printf *pf, const struct cfg *cfg)
{
	return uris_print(pf, cfg, false);
}


/**
 * Check a user name for a credential: 1 to 64 of A-Z a-z 0-9 . _ @ + -
 * (nothing that needs quoting in JSON, a URI or a log line)
 *
 * @param user User name
 *
 * @return true if it may be used
 */
bool turnuri_user_valid(const char *user)
{
	size_t n = user ? strlen(user) : 0;

	if (n < 1 || n > 64)
		return false;

	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)user[i]) &&
		    !strchr("._@+-", user[i]))
			return false;
	}

	return true;
}


/**
 * Write a TURN REST credential as the credential service's JSON
 *
 * @param mb   Buffer to write to
 * @param cfg  Configuration (the URIs)
 * @param cred Credential
 *
 * @return 0 if success, otherwise errorcode
 */
int turnuri_cred_json(struct mbuf *mb, const struct cfg *cfg,
		      const struct tok_rest *cred)
{
	if (!mb || !cfg || !cred)
		return EINVAL;

	/* the username is "<expiry>:<user>", turnuri_user_valid() */
	return mbuf_printf(mb, "{\"username\":\"%s\",\"password\":\"%s\","
			   "\"ttl\":%u,\"uris\":%H}", cred->username,
			   cred->password, cred->ttl, turnuri_json, cfg);
}
