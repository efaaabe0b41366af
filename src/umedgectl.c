/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umedgectl.c  umedgectl: the operator's command line for umedge
 *
 * Online commands ask the running daemon over its control socket.
 * Token commands work offline from the configuration file's secrets.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "tok.h"
#include "turnuri.h"
#include "cfg.h"
#include "ctlc.h"


/** Exit codes */
enum {
	EX_OK      = 0,   /**< Done, or the token is valid          */
	EX_FAIL    = 1,   /**< The daemon said error / token invalid */
	EX_USAGE   = 2,   /**< Bad command line                     */
	EX_NODAEMON = 3,  /**< Control socket unreachable           */
	EX_CONFIG  = 4,   /**< Configuration unreadable             */
};

/** Options shared by every command */
struct opts {
	const char *config;    /**< -c FILE                    */
	const char *socket;    /**< -s PATH                    */
	const char *scope;     /**< --scope                    */
	const char *user;      /**< --user                     */
	uint64_t ttl;          /**< --ttl, 0 if not given      */
	uint64_t expires;      /**< --expires, 0 if not given  */
	bool json;             /**< --json                     */
	bool wait;             /**< --wait                     */
	uint64_t timeout;      /**< --timeout, 0 if not given  */
};


static void usage(void)
{
	(void)re_fprintf(stderr,
	"usage: umedgectl [-c FILE] [-s SOCKET] [--json] COMMAND [ARGS]\n"
	"\n"
	"daemon commands (over the control socket; --json: one JSON\n"
	"document, field names in umedgectl(8)):\n"
	"  status                       version, uptime, what is enabled\n"
	"  reload                       re-read the configuration\n"
	"  calls                        the relay's calls\n"
	"  call CALL-ID                 a call's streams, latches, counters\n"
	"  turn                         TURN allocations, peers, counters\n"
	"  drain [SECONDS] [--wait]     (or --timeout SECONDS)\n"
	"                               take no new calls; exit when none\n"
	"                               is left (--wait: until it exits)\n"
	"  ha takeover|release          of a pair (keepalived's notify):\n"
	"                               become the active or the standby\n"
	"\n"
	"offline commands (secrets from the configuration file):\n"
	"  token issue --scope S [--ttl SECONDS | --expires UNIXTIME]\n"
	"  token verify [--scope S] TOKEN\n"
	"  turn-cred --user U [--ttl SECONDS] [--json]\n"
	"  turn-cred verify USERNAME PASSWORD\n"
	"\n"
	"  -c FILE    configuration (default %s)\n"
	"  -s SOCKET  control socket (default: control_socket from FILE)\n",
	UM_CONFIG);
}


static int config_load(const struct opts *o, struct cfg **cfgp)
{
	char errbuf[512];

	if (cfg_load(cfgp, o->config, errbuf, sizeof(errbuf))) {
		(void)re_fprintf(stderr, "umedgectl: %s\n", errbuf);
		return EX_CONFIG;
	}

	return EX_OK;
}


/* the answer: its body on stdout (an error's on stderr, but a JSON
 * error object, which goes to stdout for the script to read) */
static int answer_print(const struct opts *o, struct mbuf *mb)
{
	static const char errp[] = "error: ";
	int ret;

	ret = (mb->end >= 3 && 0 == memcmp(mb->buf, "ok\n", 3)) ?
		EX_OK : EX_FAIL;
	mb->pos = ret == EX_OK ? 3 : 0;
	if (ret != EX_OK && o->json && mb->end >= sizeof(errp) - 1 &&
	    0 == memcmp(mb->buf, errp, sizeof(errp) - 1))
		mb->pos = sizeof(errp) - 1;

	(void)re_fprintf(ret == EX_OK || o->json ? stdout : stderr, "%b",
			 mbuf_buf(mb), mbuf_get_left(mb));

	return ret;
}


static int daemon_ask(const struct opts *o, const char *path,
		      const char *line)
{
	struct mbuf *mb = NULL;
	int err;

	err = ctlc_request(path, line, &mb);
	if (err) {
		(void)re_fprintf(stderr, "umedgectl: %s: %m (is umedge "
				 "running?)\n", path, err);
		return EX_NODAEMON;
	}

	err = answer_print(o, mb);
	mem_deref(mb);

	return err;
}


static int daemon_cmd(const struct opts *o, const char *cmd)
{
	const char *path = o->socket;
	struct cfg *cfg = NULL;
	char line[600];
	int ret;

	(void)re_snprintf(line, sizeof(line), "%s%s", o->json ? "json " : "",
			  cmd);

	if (!path) {
		ret = config_load(o, &cfg);
		if (ret)
			return ret;
		path = cfg->control_socket;
	}

	ret = daemon_ask(o, path, line);

	/* --wait (drain): until the daemon is gone, or its timeout + 30 s */
	if (ret == EX_OK && o->wait &&
	    ctlc_wait_gone(path, o->timeout ? (uint32_t)o->timeout + 30 :
			   UINT32_MAX - 1)) {
		(void)re_fprintf(stderr, "umedgectl: %s: still running\n",
				 path);
		ret = EX_FAIL;
	}

	mem_deref(cfg);

	return ret;
}


static int token_issue(const struct opts *o, const struct cfg *cfg)
{
	uint64_t now = (uint64_t)time(NULL);
	uint64_t expires;
	char tok[TOK_MAX];
	int err;

	if (!o->scope || (o->ttl && o->expires)) {
		(void)re_fprintf(stderr, "umedgectl: token issue --scope S "
				 "[--ttl SECONDS | --expires UNIXTIME]\n");
		return EX_USAGE;
	}

	expires = o->expires ? o->expires : now + (o->ttl ? o->ttl :
						   cfg->token_ttl);

	err = tok_issue(tok, sizeof(tok), cfg->keys, o->scope, expires);
	if (err) {
		(void)re_fprintf(stderr, "umedgectl: cannot issue: %s\n",
				 err == EINVAL ? "bad scope" :
				 tok_strerror(err));
		return EX_FAIL;
	}

	(void)re_printf("%s\n", tok);

	return EX_OK;
}


static int token_verify(const struct opts *o, const struct cfg *cfg,
			const char *token)
{
	struct tok_claims claims;
	struct pl pl;
	int err;

	pl_set_str(&pl, token);
	err = tok_verify(cfg->keys, &pl, o->scope, (uint64_t)time(NULL),
			 &claims);
	if (err) {
		(void)re_printf("invalid: %s\n", tok_strerror(err));
		return EX_FAIL;
	}

	(void)re_printf("valid: scope=%s expires=%llu key=%s\n",
			claims.scope, (unsigned long long)claims.expires,
			claims.key->id);

	return EX_OK;
}


static int turn_cred(const struct opts *o, const struct cfg *cfg)
{
	uint64_t ttl = o->ttl ? o->ttl : cfg->token_ttl;
	struct tok_rest cred;
	int err;

	if (!o->user || ttl > UINT32_MAX) {
		(void)re_fprintf(stderr, "umedgectl: turn-cred --user U "
				 "[--ttl SECONDS]\n");
		return EX_USAGE;
	}

	if (!turnuri_user_valid(o->user)) {
		(void)re_fprintf(stderr, "umedgectl: bad user '%s' (1 to 64 "
				 "of A-Z a-z 0-9 . _ @ + -)\n", o->user);
		return EX_FAIL;
	}

	err = tok_rest_issue(&cred, cfg->keys, o->user, (uint32_t)ttl,
			     (uint64_t)time(NULL));
	if (err) {
		(void)re_fprintf(stderr, "umedgectl: cannot issue: %s\n",
				 tok_strerror(err));
		return EX_FAIL;
	}

	if (o->json) {
		struct mbuf *mb = mbuf_alloc(512);

		if (!mb || turnuri_cred_json(mb, cfg, &cred)) {
			mem_deref(mb);
			return EX_FAIL;
		}
		(void)re_printf("%b\n", mb->buf, mb->end);
		mem_deref(mb);
	}
	else
		(void)re_printf("username: %s\npassword: %s\nttl: %u\n%H",
				cred.username, cred.password, cred.ttl,
				turnuri_lines, cfg);

	return EX_OK;
}


static int turn_cred_verify(const struct cfg *cfg, const char *user,
			    const char *pass)
{
	struct pl u, p;
	int err;

	pl_set_str(&u, user);
	pl_set_str(&p, pass);

	err = tok_rest_verify(cfg->keys, &u, &p, (uint64_t)time(NULL));
	if (err)
		(void)re_printf("invalid: %s\n", tok_strerror(err));
	else
		(void)re_printf("valid\n");

	return err ? EX_FAIL : EX_OK;
}


/* Offline commands: argv starts after the command word(s) */
static int offline_cmd(const struct opts *o, const char *cmd,
		       int argc, char **argv)
{
	struct cfg *cfg = NULL;
	int ret;

	ret = config_load(o, &cfg);
	if (ret)
		return ret;

	if (0 == strcmp(cmd, "token issue") && argc == 0)
		ret = token_issue(o, cfg);
	else if (0 == strcmp(cmd, "token verify") && argc == 1)
		ret = token_verify(o, cfg, argv[0]);
	else if (0 == strcmp(cmd, "turn-cred") && argc == 0)
		ret = turn_cred(o, cfg);
	else if (0 == strcmp(cmd, "turn-cred verify") && argc == 2)
		ret = turn_cred_verify(cfg, argv[0], argv[1]);
	else {
		usage();
		ret = EX_USAGE;
	}

	mem_deref(cfg);

	return ret;
}


static bool number_parse(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;

	errno = 0;
	*v = strtoull(s, &end, 10);

	return !errno && !*end && *v > 0;
}


static int opts_parse(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"scope",   required_argument, NULL, 'S'},
		{"user",    required_argument, NULL, 'u'},
		{"ttl",     required_argument, NULL, 'T'},
		{"expires", required_argument, NULL, 'E'},
		{"json",    no_argument,       NULL, 'j'},
		{"wait",    no_argument,       NULL, 'w'},
		{"timeout", required_argument, NULL, 'O'},
		{"help",    no_argument,       NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:s:h", longopts,
				NULL)) != -1) {
		switch (c) {

		case 'c': o->config = optarg; break;
		case 's': o->socket = optarg; break;
		case 'S': o->scope = optarg; break;
		case 'u': o->user = optarg; break;
		case 'j': o->json = true; break;
		case 'w': o->wait = true; break;
		case 'O':
			if (!number_parse(optarg, &o->timeout) ||
			    o->timeout > 604800)
				return EX_USAGE;
			break;
		case 'h':
			usage();
			exit(EX_OK);
		case 'T':
			if (!number_parse(optarg, &o->ttl))
				return EX_USAGE;
			break;
		case 'E':
			if (!number_parse(optarg, &o->expires))
				return EX_USAGE;
			break;
		default:
			return EX_USAGE;
		}
	}

	return EX_OK;
}


int main(int argc, char *argv[])
{
	char full[32];
	struct opts o;
	char **pos;
	int n, words;

	memset(&o, 0, sizeof(o));
	o.config = UM_CONFIG;

	/* options may stand anywhere: getopt moves the words to the end */
	if (opts_parse(&o, argc, argv) || optind >= argc) {
		usage();
		return EX_USAGE;
	}

	pos = argv + optind;
	n = argc - optind;

	if (n == 1 && (0 == strcmp(pos[0], "status") ||
		       0 == strcmp(pos[0], "reload") ||
		       0 == strcmp(pos[0], "calls") ||
		       0 == strcmp(pos[0], "turn")))
		return daemon_cmd(&o, pos[0]);

	if ((n == 1 || n == 2) && 0 == strcmp(pos[0], "drain")) {
		char line[32] = "drain";

		if (n == 2 && (!number_parse(pos[1], &o.timeout) ||
			       o.timeout > 604800)) {
			usage();
			return EX_USAGE;
		}

		if (o.timeout)
			(void)re_snprintf(line, sizeof(line), "drain %llu",
					  (unsigned long long)o.timeout);
		return daemon_cmd(&o, line);
	}

	if (n == 2 && 0 == strcmp(pos[0], "ha") &&
	    (0 == strcmp(pos[1], "takeover") ||
	     0 == strcmp(pos[1], "release"))) {
		char line[32];

		(void)re_snprintf(line, sizeof(line), "ha %s", pos[1]);
		return daemon_cmd(&o, line);
	}

	if (n == 2 && 0 == strcmp(pos[0], "call")) {
		char line[512];

		(void)re_snprintf(line, sizeof(line), "call %s", pos[1]);
		return daemon_cmd(&o, line);
	}

	if (0 != strcmp(pos[0], "token") && 0 != strcmp(pos[0], "turn-cred")) {
		usage();
		return EX_USAGE;
	}

	/* a second command word: "issue" or "verify" */
	words = (n >= 2 && (0 == strcmp(pos[1], "issue") ||
			    0 == strcmp(pos[1], "verify"))) ? 2 : 1;
	(void)re_snprintf(full, sizeof(full), "%s%s%s", pos[0],
			  words == 2 ? " " : "", words == 2 ? pos[1] : "");

	return offline_cmd(&o, full, n - words, pos + words);
}
