/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file umct.c  Static conntrack NAT entries as umedge's relay makes
 *               them (relay/kern.c), with no relay running
 *
 * usage: umct add  -n N -a A -e EXT:P0 -i INT:P0 -b B [-F PORT] [-t SEC]
 *        umct del  -n N -a A -e EXT:P0 -i INT:P0 -b B [-F PORT]
 *        umct poll -n N -a A -e EXT:P0 -i INT:P0 -b B [-F PORT]
 *                  [--every MS] [--for SEC] [-v]
 *
 *   -n N       calls, 1 to 10000
 *   -a A       side A's peer address (IPv4 or IPv6)
 *   -e EXT:P0  our outside address and the first call's port on it
 *   -i INT:P0  our inside address and the first call's port on it
 *   -b B       side B's peer address
 *   -F PORT    the peers' port of the first call (default 40000)
 *   -t SEC     "add": the entries' timeout without packets (default
 *              600; once packets flow the kernel's UDP timeouts apply)
 *   --every MS "poll": read every entry once per MS (default 1000)
 *   --for SEC  "poll": for SEC seconds, at most 86400 (default 10)
 *   -v         "poll": after the last read, one line per entry
 *
 * Call i is the flow A:(F+2i) -> EXT:(P0+2i), NATed to
 * INT:(P0+2i) -> B:(F+2i), installed with kern_add() exactly as the
 * relay installs a latched stream's flow 0. "del" removes the same set
 * with kern_del(). "poll" reads every entry with kern_get(), one
 * NFCT_Q_GET round trip each, as the relay's poll_flows() does once a
 * second per installed flow (relay/offload.c), here as one burst per
 * interval, until --for ends or SIGTERM/SIGINT comes.
 *
 * Must run in the namespace that forwards (kern_prepare(): forwarding
 * on, nf_conntrack_acct switched on); the NAT applies only where a
 * ruleset has nat chains (etc/umedge.nft).
 *
 * Output: "add"/"del": "umct add calls=N ok=K failed=F first_error=E";
 * "poll": one line per read "poll round=R ok=K missing=M burst_us=U",
 * then "poll_total rounds=R gets=G missing=M burst_us_max=U
 * pkts_ab=X pkts_ba=Y bytes_ab=X bytes_ba=Y" (the last read's counters
 * summed over the entries). Exit 0 when every entry was handled, 1
 * otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "kern.h"


enum {
	UMCT_CALLS_MAX = 10000,     /**< Most calls                     */
	UMCT_FIRST_PORT = 40000,    /**< Peers' port of call 0          */
	UMCT_TIMEOUT_S = 600,       /**< Entry timeout by default       */
	UMCT_EVERY_MS = 1000,       /**< Poll interval by default       */
	UMCT_FOR_S = 10,            /**< Poll duration by default       */
	UMCT_FOR_MAX_S = 86400,     /**< Longest poll                   */
};

/** Command-line settings */
struct umct_opts {
	const char *cmd;            /**< add, del or poll               */
	struct sa a, b;             /**< Peers' addresses               */
	struct sa ext, in;          /**< Our addresses and first ports  */
	unsigned n;                 /**< Calls                          */
	unsigned first;             /**< Peers' first port              */
	unsigned timeout_s;         /**< Entry timeout                  */
	unsigned every_ms;          /**< Poll interval                  */
	unsigned for_s;             /**< Poll duration                  */
	bool verbose;               /**< Per-entry lines                */
};

/** Totals of one read of every entry */
struct umct_read {
	unsigned ok, missing;       /**< Entries read, entries gone     */
	uint64_t pkts[2], bytes[2]; /**< Summed counters                */
};

static volatile sig_atomic_t umct_stop;


static void umct_sig(int sig)
{
	(void)sig;
	umct_stop = 1;
}


static uint64_t umct_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}


static int umct_usage(void)
{
	fprintf(stderr,
		"usage: umct add|del|poll -n N -a A -e EXT:P0 -i INT:P0 "
		"-b B [-F PORT]\n"
		"            [-t SEC] [--every MS] [--for SEC] [-v]\n");
	return 2;
}


/* The flow of call i */
static void umct_flow(const struct umct_opts *o, unsigned i,
		      struct kern_flow *f)
{
	uint16_t peer = (uint16_t)(o->first + 2 * i);
	uint16_t ext = (uint16_t)(sa_port(&o->ext) + 2 * i);
	uint16_t in = (uint16_t)(sa_port(&o->in) + 2 * i);

	f->peer_a = o->a;
	sa_set_port(&f->peer_a, peer);
	f->local_a = o->ext;
	sa_set_port(&f->local_a, ext);
	f->local_b = o->in;
	sa_set_port(&f->local_b, in);
	f->peer_b = o->b;
	sa_set_port(&f->peer_b, peer);
}


static int umct_addr(struct sa *sa, const char *s, bool port)
{
	if (port)
		return sa_decode(sa, s, str_len(s)) ? -1 : 0;

	return sa_set_str(sa, s, 0) ? -1 : 0;
}


static unsigned umct_num(const char *s, unsigned max, int *bad)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > max)
		*bad = 1;

	return (unsigned)v;
}


static int umct_opt(struct umct_opts *o, int c, const char *arg)
{
	int bad = 0;

	switch (c) {
	case 'n': o->n = umct_num(arg, UMCT_CALLS_MAX, &bad); break;
	case 'a': bad = umct_addr(&o->a, arg, false); break;
	case 'b': bad = umct_addr(&o->b, arg, false); break;
	case 'e': bad = umct_addr(&o->ext, arg, true); break;
	case 'i': bad = umct_addr(&o->in, arg, true); break;
	case 'F': o->first = umct_num(arg, 65535, &bad); break;
	case 't': o->timeout_s = umct_num(arg, 1u << 30, &bad); break;
	case 'E': o->every_ms = umct_num(arg, 3600000, &bad); break;
	case 'R': o->for_s = umct_num(arg, UMCT_FOR_MAX_S, &bad); break;
	case 'v': o->verbose = true; break;
	default: bad = 1; break;
	}

	return bad ? -1 : 0;
}


/* Every call's ports must fit: the last one is P+2(N-1) */
static bool umct_fits(const struct umct_opts *o)
{
	unsigned span = 2 * (o->n - 1);

	return o->n >= 1 && o->first + span <= 65535 &&
	       sa_port(&o->ext) + span <= 65535 &&
	       sa_port(&o->in) + span <= 65535 &&
	       sa_port(&o->ext) && sa_port(&o->in) && o->first &&
	       o->timeout_s && o->every_ms;
}


static int umct_parse(struct umct_opts *o, int argc, char *argv[])
{
	static const struct option lopts[] = {
		{"every", required_argument, NULL, 'E'},
		{"for", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->first = UMCT_FIRST_PORT;
	o->timeout_s = UMCT_TIMEOUT_S;
	o->every_ms = UMCT_EVERY_MS;
	o->for_s = UMCT_FOR_S;
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	optind = 2;

	while ((c = getopt_long(argc, argv, "n:a:b:e:i:F:t:v", lopts,
				NULL)) != -1) {
		if (umct_opt(o, c, optarg))
			return -1;
	}

	if (optind != argc || !sa_isset(&o->a, SA_ADDR) ||
	    !sa_isset(&o->b, SA_ADDR) || !sa_isset(&o->ext, SA_ALL) ||
	    !sa_isset(&o->in, SA_ALL) || !umct_fits(o))
		return -1;

	return 0;
}


/* add or del every call's entry */
static int umct_set(struct kern *k, const struct umct_opts *o, bool add)
{
	unsigned ok = 0, failed = 0;
	int first_err = 0;

	for (unsigned i = 0; i < o->n; i++) {
		struct kern_flow f;
		int err;

		umct_flow(o, i, &f);
		err = add ? kern_add(k, &f, o->timeout_s) :
			kern_del(k, &f, NULL);
		if (err) {
			++failed;
			if (!first_err)
				first_err = err;
			continue;
		}
		++ok;
	}

	printf("umct %s calls=%u ok=%u failed=%u first_error=%s\n",
	       add ? "add" : "del", o->n, ok, failed,
	       first_err ? strerror(first_err) : "-");

	return failed ? 1 : 0;
}


static void umct_entry_print(const struct umct_opts *o, unsigned i,
			     const struct kern_count *c)
{
	struct kern_flow f;

	char flow[256];

	umct_flow(o, i, &f);
	if (re_snprintf(flow, sizeof(flow), "%J -> %J => %J -> %J",
			&f.peer_a, &f.local_a, &f.local_b, &f.peer_b) < 0)
		flow[0] = '\0';
	printf("entry call=%u %s packets=%llu/%llu bytes=%llu/%llu\n", i,
	       flow, (unsigned long long)c->packets[0],
	       (unsigned long long)c->packets[1],
	       (unsigned long long)c->bytes[0],
	       (unsigned long long)c->bytes[1]);
}


/* One read of every entry, kern_get() each, as poll_flows() does */
static void umct_read_all(struct kern *k, const struct umct_opts *o,
			  bool print, struct umct_read *r)
{
	memset(r, 0, sizeof(*r));

	for (unsigned i = 0; i < o->n; i++) {
		struct kern_flow f;
		struct kern_count c;

		umct_flow(o, i, &f);
		if (kern_get(k, &f, &c)) {
			++r->missing;
			continue;
		}
		++r->ok;
		for (int d = 0; d < 2; d++) {
			r->pkts[d] += c.packets[d];
			r->bytes[d] += c.bytes[d];
		}
		if (print)
			umct_entry_print(o, i, &c);
	}
}


static void umct_sleep_until(uint64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000u),
			      (long)(us % 1000000u) * 1000};

	/* a signal ends the sleep early: the loop then stops */
	(void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}


static int umct_poll(struct kern *k, const struct umct_opts *o)
{
	uint64_t t0 = umct_now_us(), next = t0, gets = 0, burst_max = 0;
	uint64_t end = t0 + (uint64_t)o->for_s * 1000000u;
	unsigned rounds = 0, missing = 0;
	struct umct_read r;

	memset(&r, 0, sizeof(r));
	while (!umct_stop && next < end) {
		uint64_t b0 = umct_now_us(), us;

		umct_read_all(k, o, false, &r);
		us = umct_now_us() - b0;
		burst_max = us > burst_max ? us : burst_max;
		gets += o->n;
		missing += r.missing;
		printf("poll round=%u ok=%u missing=%u burst_us=%llu\n",
		       ++rounds, r.ok, r.missing, (unsigned long long)us);
		fflush(stdout);
		next += (uint64_t)o->every_ms * 1000;
		if (next < end && !umct_stop)
			umct_sleep_until(next);
	}

	umct_read_all(k, o, o->verbose, &r);
	printf("poll_total rounds=%u gets=%llu missing=%u burst_us_max=%llu "
	       "pkts_ab=%llu pkts_ba=%llu bytes_ab=%llu bytes_ba=%llu\n",
	       rounds, (unsigned long long)gets, missing + r.missing,
	       (unsigned long long)burst_max,
	       (unsigned long long)r.pkts[0], (unsigned long long)r.pkts[1],
	       (unsigned long long)r.bytes[0], (unsigned long long)r.bytes[1]);

	return missing + r.missing ? 1 : 0;
}


int main(int argc, char *argv[])
{
	struct umct_opts o;
	struct kern *k = NULL;
	int err, rc;

	if (umct_parse(&o, argc, argv))
		return umct_usage();
	if (strcmp(o.cmd, "add") && strcmp(o.cmd, "del") &&
	    strcmp(o.cmd, "poll"))
		return umct_usage();

	(void)signal(SIGTERM, umct_sig);
	(void)signal(SIGINT, umct_sig);

	err = kern_alloc(&k);
	if (err) {
		fprintf(stderr, "umct: no conntrack: %s (forwarding off, or "
			"no CAP_NET_ADMIN)\n", strerror(err));
		return 1;
	}

	if (!strcmp(o.cmd, "poll"))
		rc = umct_poll(k, &o);
	else
		rc = umct_set(k, &o, !strcmp(o.cmd, "add"));

	mem_deref(k);
	fflush(stdout);

	return rc;
}
