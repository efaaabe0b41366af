/**
 * @file sipraw.c  Answers to SIP requests libre 1.1.0 cannot decode
 *
 * libre drops a UDP datagram its decoder refuses, silently (its
 * src/sip/transp.c). RFC 4475 wants those requests answered: 505 for
 * another SIP version, 416 for a Request-URI scheme we do not know,
 * 400 for the rest. A udp helper on the outside UDP socket sees every
 * datagram first: what decodes goes on to libre untouched; a request
 * that does not is answered here from the lines of it that can be
 * found (Via, From, To, Call-ID, CSeq), if it comes from a gateway.
 * Responses and anything that is not SIP (STUN) pass on.
 *
 * Two valid kinds libre cannot decode are made decodable instead: a
 * request whose top Via has no branch (RFC 2543 syntax: longreq,
 * inv2543 of RFC 4475) gets one of ours, stable across retransmissions
 * (a hash of Call-ID, CSeq number, From tag and source), which the
 * answers lose again on the way out. Datagrams up to 64 KiB are read
 * whole. A method the edge never takes out of a dialog (REGISTER,
 * MESSAGE, SUBSCRIBE, PUBLISH) gets 405 before anything else is looked
 * at (RFC 3261 §8.2.1).
 *
 * libre gives no handle on a transport's socket but the msg->sock of a
 * message that came on it. So at start the edge sends itself one
 * OPTIONS from a throwaway socket; b2b.c hands each outside message to
 * sipraw_claim() first, which takes the socket from that one and
 * attaches the helper.
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <re.h>
#define DEBUG_MODULE "sipraw"
#define DEBUG_LEVEL 7
#include <re_dbg.h>
#include "gate.h"
#include "sipraw.h"


enum {
	LAYER   = -1000,   /**< Before everything else on the socket */
	RX_SIZE = 65536,   /**< Largest datagram read whole          */
};

/* Our branch for an RFC 2543 Via: the prefix and 16 hex digits */
#define BRANCH_2543 ";branch=z9hG4bKu2543"
#define BRANCH_HEX  16

/** The helper on one UDP transport */
struct sipraw {
	struct le le;                /**< Member of the B2BUA's list    */
	struct udp_sock *probe;      /**< Our throwaway socket          */
	struct udp_sock *us;         /**< libre's socket (referenced)   */
	struct udp_helper *uh;       /**< Our helper on it              */
	const struct gate *gate;     /**< Who gets an answer            */
	const char *allow;           /**< Allow of a 405                */
	char callid[40];             /**< The probe's Call-ID           */
	uint64_t answered;           /**< Requests answered here        */
};


static void sipraw_destructor(void *data)
{
	struct sipraw *sr = data;

	list_unlink(&sr->le);
	mem_deref(sr->uh);
	mem_deref(sr->us);
	mem_deref(sr->probe);
}


/* "Name:" or its compact form at the start of a line */
static bool hdr_is(const struct pl *line, const char *name, char compact)
{
	size_t n = strlen(name);
	size_t i;

	if (line->l > n && !strncasecmp(line->p, name, n))
		i = n;
	else if (line->l > 1 && (line->p[0] | 0x20) == compact)
		i = 1;
	else
		return false;

	while (i < line->l && (line->p[i] == ' ' || line->p[i] == '\t'))
		++i;

	return i < line->l && line->p[i] == ':';
}


static int lines_copy(struct mbuf *out, const struct pl *msg, bool *via)
{
	struct pl rest = *msg, line;
	int err = 0;

	*via = false;
	while (rest.l && !err) {
		const char *eol = memchr(rest.p, '\n', rest.l);
		size_t len = eol ? (size_t)(eol - rest.p) + 1 : rest.l;

		line.p = rest.p;
		line.l = len;
		pl_advance(&rest, len);
		while (line.l && (line.p[line.l - 1] == '\n' ||
				  line.p[line.l - 1] == '\r'))
			--line.l;
		if (!line.l)
			break;

		if (hdr_is(&line, "Via", 'v'))
			*via = true;
		else if (!hdr_is(&line, "From", 'f') &&
			 !hdr_is(&line, "Call-ID", 'i') &&
			 !hdr_is(&line, "CSeq", '\0') &&
			 !hdr_is(&line, "To", 't'))
			continue;

		err = mbuf_printf(out, "%r\r\n", &line);
	}

	return err;
}


static bool never_taken(const struct pl *met)
{
	static const char *v[] = {"REGISTER", "MESSAGE", "SUBSCRIBE",
				  "PUBLISH"};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (!pl_strcmp(met, v[i]))
			return true;
	}

	return false;
}


/* The status a request line earns: 405, 505, 416 or 400 (first: the
 * request line alone) */
static uint16_t status_of(const struct pl *first, const char **reason)
{
	struct pl met, uri, ver, scheme;

	if (!re_regex(first->p, first->l, "[^ ]+ ", &met) &&
	    met.p == first->p && never_taken(&met)) {
		*reason = "Method Not Allowed";
		return 405;
	}

	if (!re_regex(first->p, first->l, "[^ ]+ [^ ]+ SIP/[^ \r\n]+",
		      &met, &uri, &ver) &&
	    pl_strcmp(&ver, "2.0")) {
		*reason = "Version Not Supported";
		return 505;
	}

	if (!re_regex(first->p, first->l, "[^ ]+ [a-zA-Z0-9+.\\-]+:",
		      &met, &scheme) &&
	    pl_strcasecmp(&scheme, "sip") && pl_strcasecmp(&scheme, "sips") &&
	    pl_strcasecmp(&scheme, "tel")) {
		*reason = "Unsupported URI Scheme";
		return 416;
	}

	*reason = "Bad Request";

	return 400;
}


static void answer(struct sipraw *sr, const struct sa *src,
		   const struct pl *dgram)
{
	struct mbuf *out = mbuf_alloc(512);
	const char *reason;
	struct pl first;
	uint16_t scode;
	bool via;

	if (!out)
		return;

	first.p = dgram->p;
	first.l = strcspn(dgram->p, "\r\n");
	if (first.l > dgram->l)
		first.l = dgram->l;
	scode = status_of(&first, &reason);
	if (mbuf_printf(out, "SIP/2.0 %u %s\r\n", scode, reason) ||
	    lines_copy(out, dgram, &via) || !via ||
	    (scode == 405 && mbuf_printf(out, "Allow: %s\r\n", sr->allow)) ||
	    mbuf_write_str(out, "Content-Length: 0\r\n\r\n"))
		goto out;

	out->pos = 0;
	if (!udp_send(sr->us, src, out))
		++sr->answered;

 out:
	mem_deref(out);
}


/* A first line "METHOD ... SIP/x.y", however malformed in between */
static bool is_request(const struct pl *dgram)
{
	const char *eol = memchr(dgram->p, '\n', min(dgram->l, (size_t)1024));
	struct pl first;

	if (!eol || dgram->l < 16 || !strncmp(dgram->p, "SIP/", 4) ||
	    dgram->p[0] <= ' ')
		return false;

	first.p = dgram->p;
	first.l = (size_t)(eol - dgram->p);

	for (size_t i = 0; i + 6 <= first.l; i++) {
		if (!memcmp(first.p + i, " SIP/", 5) &&
		    first.p[i + 5] >= '0' && first.p[i + 5] <= '9')
			return true;
	}

	return false;
}


/* A Via line of one well-formed element without a branch: "Via:
 * SIP/2.0/TP host[:port]" and ";name[=value]" parameters, nothing
 * empty, no comma */
static bool via_plain(const struct pl *line)
{
	struct pl val, params;

	if (re_regex(line->p, line->l, "[^:]+:[ \t]*SIP/2.0/[A-Za-z]+[ ]+"
		     "[^ ;,]+[^]*", NULL, NULL, NULL, NULL, NULL, &params) ||
	    pl_strchr(line, ','))
		return false;

	val = params;
	while (val.l) {
		const char *semi;

		if (val.p[0] != ';' || val.l < 2 || val.p[1] == ';' ||
		    val.p[1] == '=')
			return false;
		pl_advance(&val, 1);
		if (val.l >= 7 && !strncasecmp(val.p, "branch=", 7))
			return false;
		semi = pl_strchr(&val, ';');
		pl_advance(&val, semi ? (size_t)(semi - val.p) : val.l);
	}

	return true;
}


/* A request line "METHOD scheme:... SIP/2.0" with nothing odd */
static bool reqline_plain(const struct pl *text)
{
	const char *eol = memchr(text->p, '\r', min(text->l, (size_t)2048));
	struct pl first, met, uri;

	if (!eol)
		return false;

	first.p = text->p;
	first.l = (size_t)(eol - text->p);
	if (re_regex(first.p, first.l, "[A-Z]+ [^ ]+ SIP/2.0", &met, &uri) ||
	    met.p != first.p || met.l + uri.l + 9 != first.l)
		return false;

	return isalpha((unsigned char)uri.p[0]) && pl_strchr(&uri, ':') &&
		!pl_strchr(&uri, '<') && !pl_strchr(&uri, '>');
}


/* The top Via line, if it is one plain element with no branch: its
 * end, where a branch goes (an offset into text) */
static bool via_gap(const struct pl *text, size_t *offp)
{
	struct pl rest = *text, line, el;
	bool start = true;

	while (rest.l) {
		const char *eol = memchr(rest.p, '\n', rest.l);
		size_t len = eol ? (size_t)(eol - rest.p) + 1 : rest.l;

		line.p = rest.p;
		line.l = len;
		pl_advance(&rest, len);
		while (line.l && strchr("\r\n", line.p[line.l - 1]))
			--line.l;
		if (start || !hdr_is(&line, "Via", 'v')) {
			if (!start && !line.l)
				return false;     /* end of the headers */
			start = false;
			continue;
		}

		el = line;
		while (el.l && (el.p[el.l - 1] == ' ' || el.p[el.l - 1] == '\t'))
			--el.l;
		if (!via_plain(&el))
			return false;

		*offp = (size_t)(el.p + el.l - text->p);
		return true;
	}

	return false;
}


/* Our branch for a request: the same for its retransmissions, and for
 * its ACK and CANCEL */
static void branch_hex(char *hex, const struct sip_msg *msg,
		       const struct sa *src)
{
	char key[512];
	int n;

	n = re_snprintf(key, sizeof(key), "%r|%u|%r|%J", &msg->callid,
			msg->cseq.num, &msg->from.tag, src);
	if (n < 2)
		n = 2;

	(void)re_snprintf(hex, BRANCH_HEX + 1, "%08x%08x",
			  hash_joaat((uint8_t *)key, (size_t)n),
			  hash_joaat((uint8_t *)key + 1, (size_t)n - 1));
}


/**
 * Make an RFC 2543 request decodable: a plain top Via without a branch
 * gets one of ours, stable for the request's retransmissions, ACK and
 * CANCEL; only if the request line is plain and the result decodes
 *
 * @param mb  The datagram from its pos; rewritten if true is returned
 * @param src Its source
 *
 * @return true if it was rewritten
 */
bool sipraw_norm2543(struct mbuf *mb, const struct sa *src)
{
	struct pl text = {(const char *)mbuf_buf(mb), mbuf_get_left(mb)};
	const size_t blen = strlen(BRANCH_2543);
	struct sip_msg *msg = NULL;
	struct mbuf *n = NULL;
	size_t off, start = mb->pos;
	char hex[BRANCH_HEX + 1];
	bool ok = false;

	if (!reqline_plain(&text) || !via_gap(&text, &off))
		return false;

	n = mbuf_alloc(text.l + blen + BRANCH_HEX);
	if (!n || mbuf_write_mem(n, (const uint8_t *)text.p, off) ||
	    mbuf_printf(n, "%s%016u", BRANCH_2543, 0) ||
	    mbuf_write_mem(n, (const uint8_t *)text.p + off, text.l - off))
		goto out;

	n->pos = 0;
	if (sip_msg_decode(&msg, n))
		goto out;

	branch_hex(hex, msg, src);
	memcpy(n->buf + off + blen, hex, BRANCH_HEX);

	mb->end = start;
	if (mbuf_write_mem(mb, n->buf, n->end))
		goto out;
	mb->pos = start;
	ok = true;

 out:
	mem_deref(msg);
	mem_deref(n);

	return ok;
}


/* Our answers to such a request lose our branch again */
static bool send_handler(int *err, struct sa *dst, struct mbuf *mb,
			 void *arg)
{
	const size_t len = strlen(BRANCH_2543) + BRANCH_HEX;
	uint8_t *p = mbuf_buf(mb), *b;
	size_t n = mbuf_get_left(mb);
	(void)err;
	(void)dst;
	(void)arg;

	if (n < 8 || memcmp(p, "SIP/2.0 ", 8))
		return false;

	b = memmem(p, min(n, (size_t)4096), BRANCH_2543, len - BRANCH_HEX);
	if (!b || (size_t)(b - p) + len > n)
		return false;

	memmove(b, b + len, n - (size_t)(b - p) - len);
	mb->end -= len;

	return false;
}


static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct sipraw *sr = arg;
	struct sip_msg *msg = NULL;
	size_t pos = mb->pos;
	struct pl dgram;
	int err;

	err = sip_msg_decode(&msg, mb);
	mem_deref(msg);
	mb->pos = pos;
	if (!err)
		return false;

	dgram.p = (const char *)mbuf_buf(mb);
	dgram.l = mbuf_get_left(mb);

	/* a response, or not SIP at all: libre's; an RFC 2543 request
	 * that decodes with our branch, too */
	if (!is_request(&dgram) || sipraw_norm2543(mb, src))
		return false;

	if (gate_trusted(sr->gate, false, src))
		answer(sr, src, &dgram);

	DEBUG_INFO("%J: undecodable request: %s\n", src,
		   gate_trusted(sr->gate, false, src) ? "answered" :
		   "dropped (untrusted source)");

	return true;
}


/**
 * Watch an outside UDP transport: send it the probe that lets
 * sipraw_claim() find its socket
 *
 * @param list  List the watcher joins (list_flush frees it)
 * @param laddr The transport's address
 * @param gate  Sources that get an answer
 * @param allow The Allow of a 405 (a constant)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipraw_alloc(struct list *list, const struct sa *laddr,
		 const struct gate *gate, const char *allow)
{
	struct sipraw *sr;
	struct mbuf *mb = NULL;
	struct sa any;
	int err;

	if (!list || !laddr || !gate || !allow)
		return EINVAL;

	sr = mem_zalloc(sizeof(*sr), sipraw_destructor);
	if (!sr)
		return ENOMEM;

	sr->gate = gate;
	sr->allow = allow;
	(void)re_snprintf(sr->callid, sizeof(sr->callid),
			  "umedge-sipraw-%016llx",
			  (unsigned long long)rand_u64());

	sa_cpy(&any, laddr);
	sa_set_port(&any, 0);
	err = udp_listen(&sr->probe, &any, NULL, NULL);
	if (err)
		goto out;

	mb = mbuf_alloc(512);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	err = mbuf_printf(mb, "OPTIONS sip:%J SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP %J;branch=z9hG4bK%s\r\n"
			  "Max-Forwards: 1\r\n"
			  "From: <sip:probe@%J>;tag=probe\r\n"
			  "To: <sip:%J>\r\n"
			  "Call-ID: %s\r\n"
			  "CSeq: 1 OPTIONS\r\n"
			  "Content-Length: 0\r\n\r\n",
			  laddr, &any, sr->callid, &any, laddr, sr->callid);
	if (err)
		goto out;

	mb->pos = 0;
	err = udp_send(sr->probe, laddr, mb);

 out:
	mem_deref(mb);
	if (err)
		mem_deref(sr);
	else
		list_append(list, &sr->le, sr);

	return err;
}


/**
 * Offer an outside message: the probe attaches the helper
 *
 * @param sr  Watcher
 * @param msg A message that came outside
 *
 * @return true if it was the probe (consumed, not to be answered)
 */
bool sipraw_claim(struct sipraw *sr, const struct sip_msg *msg)
{
	if (!sr || !msg || sr->us || msg->tp != SIP_TRANSP_UDP ||
	    pl_strcmp(&msg->callid, sr->callid))
		return false;

	sr->us = mem_ref(msg->sock);
	sr->probe = mem_deref(sr->probe);
	udp_rxsz_set(sr->us, RX_SIZE);
	if (udp_register_helper(&sr->uh, sr->us, LAYER, send_handler,
				recv_handler, sr))
		DEBUG_WARNING("%J: cannot watch for undecodable requests\n",
			      &msg->dst);
	else
		DEBUG_INFO("%J: undecodable requests are answered\n",
			   &msg->dst);

	return true;
}


/** @return true once the helper is attached */
bool sipraw_ready(const struct sipraw *sr)
{
	return sr && sr->uh;
}


/** @return the requests answered here */
uint64_t sipraw_answered(const struct sipraw *sr)
{
	return sr ? sr->answered : 0;
}
