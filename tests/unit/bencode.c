/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bencode.c  Tests: the bencode codec of the ng control protocol
 *
 * The ng messages are shaped like those Kamailio's rtpengine module
 * sends. The SDP's length comes from strlen(); the other lengths are
 * counted by hand, and every message is checked to decode in full.
 */
#include <string.h>
#include <re.h>
#include "bencode.h"
#include "test.h"


#define PING  "d7:command4:pinge"
#define FLAGS "d7:command4:ping5:flagsl13:trust-addressee"

/* has ':' and 'e', digits, CRLF, and text that looks like bencode */
#define SDP \
	"v=0\r\n" \
	"o=- 1545997027 1 IN IP4 198.51.100.1\r\n" \
	"s=d4:spame\r\n" \
	"c=IN IP4 198.51.100.1\r\n" \
	"t=0 0\r\n" \
	"m=audio 2000 RTP/AVP 0 8 101\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n" \
	"a=fmtp:101 0-15\r\n" \
	"a=sendrecv\r\n"

/* integers and strings at their edges, encoded */
#define EDGES "li0ei-1ei10ei9223372036854775807ei-9223372036854775808e" \
	"0:0:3:a\0be"

/* An mbuf holds exactly these bytes */
#define TEST_MB(exp, len, mb) do {                                  \
		const char *x_ = (exp);                             \
		size_t l_ = (len);                                  \
		if ((mb)->end != l_ ||                              \
		    (l_ && memcmp((mb)->buf, x_, l_))) {            \
			TEST_FAIL("expected \"%b\", got \"%b\"\n",  \
				  x_, l_, (const char *)(mb)->buf,  \
				  (mb)->end);                       \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)

#define TEST_MBSTR(exp, mb) TEST_MB((exp), strlen(exp), (mb))

/* A pointer-length object holds exactly these bytes */
#define TEST_PL(exp, pl) do {                                       \
		if (pl_strcmp((pl), (exp))) {                       \
			TEST_FAIL("expected \"%s\", got \"%r\"\n",  \
				  (exp), (pl));                     \
			err = EINVAL;                               \
			goto out;                                   \
		}                                                   \
	} while (0)


/* An ng offer as Kamailio sends it, keys unsorted */
static int offer_msg(struct mbuf *mb)
{
	return mbuf_printf(mb, "d3:sdp%zu:%s"
			   "7:call-id14:a84b4c76e66710"
			   "8:from-tag6:456248"
			   "7:command5:offer"
			   "5:flagsl13:trust-address"
			   "18:SIP-source-addresse"
			   "7:replacel6:origin18:session-connectione"
			   "3:ICE6:remove"
			   "13:received-froml3:IP410:192.0.2.10e"
			   "e", strlen(SDP), SDP);
}


static int decode_str(struct benc **bp, const char *s)
{
	return benc_decode(bp, s, strlen(s), NULL);
}


/* Decode and free; the error, and nothing left behind on failure */
static int dec_err(const char *buf, size_t len)
{
	struct benc *b = NULL;
	size_t before;
	int err;

	/* the key hash seed: OpenSSL allocates its DRBG on first use */
	(void)rand_u32();

	before = leak_bytes();
	err = benc_decode(&b, buf, len, NULL);
	if (err && (b || leak_bytes() != before))
		return ENOTRECOVERABLE;

	mem_deref(b);

	return err;
}


static int dec_err_str(const char *s)
{
	return dec_err(s, strlen(s));
}


static const struct benc *first(const struct benc *b)
{
	return list_ledata(list_head(&b->items));
}


static int decode_scalars(void)
{
	struct benc *b = NULL;
	int err;

	err = decode_str(&b, "i42e");
	TEST_ERR(err);
	TEST_EQUALS(BENC_INT, b->type);
	TEST_EQUALS(42, b->i);
	b = mem_deref(b);

	err = decode_str(&b, "i-7e");
	TEST_ERR(err);
	TEST_EQUALS(-7, b->i);
	b = mem_deref(b);

	err = decode_str(&b, "i0e");
	TEST_ERR(err);
	TEST_EQUALS(0, b->i);
	b = mem_deref(b);

	err = decode_str(&b, "i9223372036854775807e");
	TEST_ERR(err);
	TEST_ASSERT(b->i == INT64_MAX);
	b = mem_deref(b);

	err = decode_str(&b, "i-9223372036854775808e");
	TEST_ERR(err);
	TEST_ASSERT(b->i == INT64_MIN);
	b = mem_deref(b);

	err = decode_str(&b, "4:spam");
	TEST_ERR(err);
	TEST_EQUALS(BENC_STR, b->type);
	TEST_PL("spam", &b->s);
	TEST_ASSERT(benc_str_eq(b, "spam"));
	TEST_ASSERT(!benc_str_eq(b, "spa"));
	TEST_ASSERT(!benc_str_eq(b, "spams"));
	TEST_ASSERT(!benc_str_eq(b, "SPAM"));
	b = mem_deref(b);

	err = decode_str(&b, "0:");
	TEST_ERR(err);
	TEST_EQUALS(BENC_STR, b->type);
	TEST_EQUALS(0, b->s.l);
	TEST_ASSERT(benc_str_eq(b, ""));
	b = mem_deref(b);

	err = decode_str(&b, "le");
	TEST_ERR(err);
	TEST_EQUALS(BENC_LIST, b->type);
	TEST_EQUALS(0, list_count(&b->items));
	b = mem_deref(b);

	err = decode_str(&b, "de");
	TEST_ERR(err);
	TEST_EQUALS(BENC_DICT, b->type);
	TEST_EQUALS(0, list_count(&b->items));
	TEST_ASSERT(!benc_str_eq(b, ""));

 out:
	mem_deref(b);
	return err;
}


static int decode_ping(void)
{
	const char *flags[] = {"trust-address", "SIP-source-address"};
	const struct benc *f;
	struct benc *b = NULL;
	struct le *le;
	struct pl pl;
	int64_t i;
	size_t n = 0;
	int err;

	err = decode_str(&b, PING);
	TEST_ERR(err);
	TEST_EQUALS(BENC_DICT, b->type);
	TEST_EQUALS(1, list_count(&b->items));
	err = benc_dict_str(b, "command", &pl);
	TEST_ERR(err);
	TEST_PL("ping", &pl);
	TEST_PL("command", &first(b)->key);
	TEST_ASSERT(benc_str_eq(benc_dict_get(b, "command"), "ping"));
	TEST_ASSERT(!benc_dict_get(b, "comman"));
	TEST_EQUALS(ENOENT, benc_dict_str(b, "flags", &pl));
	TEST_EQUALS(EPROTO, benc_dict_int(b, "command", &i));
	TEST_EQUALS(EINVAL, benc_dict_str(first(b), "command", &pl));
	b = mem_deref(b);

	err = decode_str(&b, FLAGS);
	TEST_ERR(err);
	f = benc_dict_get(b, "flags");
	TEST_ASSERT(f && f->type == BENC_LIST);
	TEST_EQUALS(1, list_count(&f->items));
	TEST_ASSERT(benc_str_eq(first(f), "trust-address"));
	b = mem_deref(b);

	err = decode_str(&b, "d7:command4:ping5:flagsl13:trust-address"
			 "18:SIP-source-addressee");
	TEST_ERR(err);
	TEST_EQUALS(2, list_count(&b->items));
	TEST_EQUALS(EPROTO, benc_dict_str(b, "flags", &pl));
	f = benc_dict_get(b, "flags");
	TEST_ASSERT(f && f->type == BENC_LIST);
	LIST_FOREACH(&f->items, le) {
		TEST_ASSERT(n < ARRAY_SIZE(flags));
		TEST_ASSERT(benc_str_eq(le->data, flags[n]));
		++n;
	}
	TEST_EQUALS(2, n);

	/* the same with the lengths miscounted ("4:flags") is refused */
	TEST_EQUALS(EBADMSG, dec_err_str("d7:command4:ping4:flagsl11:"
					 "trust-addressee"));

 out:
	mem_deref(b);
	return err;
}


static int decode_offer(void)
{
	static const char *keys[] = {
		"sdp", "call-id", "from-tag", "command", "flags", "replace",
		"ICE", "received-from"
	};
	const struct benc *rf;
	struct benc *b = NULL;
	struct mbuf *mb;
	char pre[32];
	struct le *le;
	struct pl pl;
	size_t n = 0;
	int err;

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	err = offer_msg(mb);
	TEST_ERR(err);

	err = benc_decode(&b, (char *)mb->buf, mb->end, NULL);
	TEST_ERR(err);
	TEST_EQUALS(ARRAY_SIZE(keys), list_count(&b->items));

	/* keys in the order received */
	LIST_FOREACH(&b->items, le) {
		const struct benc *e = le->data;

		TEST_PL(keys[n], &e->key);
		++n;
	}

	/* zero-copy: the SDP is the bytes in the buffer */
	err = benc_dict_str(b, "sdp", &pl);
	TEST_ERR(err);
	TEST_PL(SDP, &pl);
	/* re_snprintf(NULL, 0, ...) is -1 in libre, not the length */
	TEST_ASSERT(re_snprintf(pre, sizeof(pre), "d3:sdp%zu:",
				strlen(SDP)) > 0);
	TEST_ASSERT(pl.p == (char *)mb->buf + strlen(pre));

	err = benc_dict_str(b, "command", &pl);
	TEST_ERR(err);
	TEST_PL("offer", &pl);
	err = benc_dict_str(b, "call-id", &pl);
	TEST_ERR(err);
	TEST_PL("a84b4c76e66710", &pl);
	TEST_ASSERT(benc_str_eq(benc_dict_get(b, "ICE"), "remove"));

	rf = benc_dict_get(b, "received-from");
	TEST_ASSERT(rf && rf->type == BENC_LIST);
	TEST_EQUALS(2, list_count(&rf->items));
	TEST_ASSERT(benc_str_eq(first(rf), "IP4"));
	TEST_ASSERT(benc_str_eq(list_ledata(list_tail(&rf->items)),
				"192.0.2.10"));

 out:
	mem_deref(b);
	mem_deref(mb);
	return err;
}


static int decode_dicts(void)
{
	struct benc *b = NULL;
	int64_t i = 0;
	int err;

	/* unsorted keys are accepted and kept in order */
	err = decode_str(&b, "d1:bi1e1:ai-2e0:i3ee");
	TEST_ERR(err);
	TEST_PL("b", &first(b)->key);
	err = benc_dict_int(b, "a", &i);
	TEST_ERR(err);
	TEST_EQUALS(-2, i);
	err = benc_dict_int(b, "", &i);
	TEST_ERR(err);
	TEST_EQUALS(3, i);
	TEST_EQUALS(ENOENT, benc_dict_int(b, "c", &i));
	TEST_EQUALS(EINVAL, benc_dict_int(NULL, "a", &i));
	TEST_EQUALS(EINVAL, benc_dict_int(b, NULL, &i));
	TEST_ASSERT(!benc_dict_get(NULL, "a"));

	/* keys must be strings, and unique */
	TEST_EQUALS(EBADMSG, dec_err_str("di1e1:ae"));
	TEST_EQUALS(EBADMSG, dec_err_str("dlei1ee"));
	TEST_EQUALS(EBADMSG, dec_err_str("ddei1ee"));
	TEST_EQUALS(EBADMSG, dec_err_str("d1:ai1e1:ai2ee"));
	TEST_EQUALS(EBADMSG, dec_err_str("d1:ai1e1:b0:1:ai2ee"));
	TEST_EQUALS(EBADMSG, dec_err_str("d0:i1e0:i2ee"));
	TEST_EQUALS(EBADMSG, dec_err_str("d1:ae"));
	TEST_EQUALS(0, dec_err_str("d1:ad1:ai1ee1:bd1:ai1eee"));

 out:
	mem_deref(b);
	return err;
}


static int decode_malformed(void)
{
	static const char *bad[] = {
		"ie", "i-e", "i-0e", "i03e", "i-03e", "i00e", "i+1e",
		"i1-e", "i 1e", "i1x", "i--1e", "03:abc", "00:", "-1:a",
		"1a:a", ":", "x", "e", " i1e", "l1:ae1", "i1ee", "4:spamx",
		"lx", "l-e", "i1ei2e", "li1 e", "3 :ab",
	};
	struct benc *b = NULL;
	size_t used = 0;
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int e = dec_err_str(bad[i]);
		if (e != EBADMSG) {
			TEST_FAIL("'%s': %m\n", bad[i], e);
			err = EINVAL;
			goto out;
		}
	}

	/* trailing bytes are fine when the caller asks how many were used */
	err = benc_decode(&b, "i1ei2e", 6, &used);
	TEST_ERR(err);
	TEST_EQUALS(3, used);
	TEST_EQUALS(1, b->i);
	b = mem_deref(b);

	err = benc_decode(&b, PING "junk", strlen(PING) + 4, &used);
	TEST_ERR(err);
	TEST_EQUALS(strlen(PING), used);
	b = mem_deref(b);

	TEST_EQUALS(EINVAL, benc_decode(NULL, "i1e", 3, NULL));
	TEST_EQUALS(EINVAL, benc_decode(&b, NULL, 3, NULL));

 out:
	mem_deref(b);
	return err;
}


static int decode_ints(void)
{
	int err = 0;

	TEST_EQUALS(EOVERFLOW, dec_err_str("i9223372036854775808e"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("i-9223372036854775809e"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("i18446744073709551616e"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("i99999999999999999999999e"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("li1ei9223372036854775808ee"));
	TEST_EQUALS(0, dec_err_str("i9223372036854775807e"));
	TEST_EQUALS(0, dec_err_str("i-9223372036854775808e"));
	TEST_EQUALS(0, dec_err_str("i-1e"));

 out:
	return err;
}


int test_benc_decode(void)
{
	int err;

	err = decode_scalars();
	if (!err)
		err = decode_ping();
	if (!err)
		err = decode_offer();
	if (!err)
		err = decode_dicts();
	if (!err)
		err = decode_malformed();
	if (!err)
		err = decode_ints();

	return err;
}


/* Every proper prefix, in a heap block of exactly its size, is ENODATA */
static int prefixes(const char *msg, size_t len)
{
	struct benc *b = NULL;
	size_t used = 0;
	int err = 0;

	err = dec_err(msg, len);
	TEST_ERR(err);

	for (size_t n = 0; n < len; n++) {
		char *p = mem_alloc(n, NULL);
		int e1, e2;

		if (!p)
			return ENOMEM;

		if (n)
			memcpy(p, msg, n);

		e1 = benc_decode(&b, p, n, NULL);
		e2 = benc_decode(&b, p, n, &used);
		mem_deref(p);

		if (e1 != ENODATA || e2 != ENODATA || b) {
			TEST_FAIL("\"%b\" (prefix %zu): %m, %m\n",
				  msg, n, n, e1, e2);
			err = EINVAL;
			goto out;
		}
	}

 out:
	mem_deref(b);
	return err;
}


int test_benc_truncated(void)
{
	static const char *msgs[] = {
		PING, FLAGS, "i0e", "i-1e", "i9223372036854775807e",
		"i-9223372036854775808e", "0:", "10:0123456789", "le", "de",
		"l0:i0ed1:ale1:bdeee", "d0:0:e", "lllleeee",
	};
	struct mbuf *mb;
	int err = 0;

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		err = prefixes(msgs[i], strlen(msgs[i]));
		TEST_ERR(err);
	}

	err = offer_msg(mb);
	TEST_ERR(err);
	err = prefixes((char *)mb->buf, mb->end);
	TEST_ERR(err);

	/* a string longer than what is left is truncated too */
	TEST_EQUALS(ENODATA, dec_err_str("6:hello"));
	TEST_EQUALS(ENODATA, dec_err_str("d3:sdp100:v=0e"));
	TEST_EQUALS(0, dec_err_str("5:hello"));

	/* malformed is reported as soon as it shows, even if truncated */
	TEST_EQUALS(EBADMSG, dec_err_str("i03"));
	TEST_EQUALS(EBADMSG, dec_err_str("i-0"));
	TEST_EQUALS(EBADMSG, dec_err_str("03"));
	TEST_EQUALS(EBADMSG, dec_err_str("di1"));
	TEST_EQUALS(EBADMSG, dec_err_str("d1:a0:1:a0:"));

 out:
	mem_deref(mb);
	return err;
}


/* open x n, leaf, close x n */
static int nest(struct mbuf *mb, const char *open, const char *leaf,
		const char *close, unsigned n)
{
	int err = 0;

	mbuf_rewind(mb);

	for (unsigned i = 0; i < n; i++)
		err |= mbuf_write_str(mb, open);
	err |= mbuf_write_str(mb, leaf);
	for (unsigned i = 0; i < n; i++)
		err |= mbuf_write_str(mb, close);

	return err;
}


static unsigned depth_of(const struct benc *b)
{
	unsigned depth = 0;

	while (b && (b->type == BENC_LIST || b->type == BENC_DICT)) {
		++depth;
		b = first(b);
	}

	return depth;
}


/* Decode mb; 0 and the depth if it decodes, else the error */
static int nested(const struct mbuf *mb, unsigned *depthp)
{
	struct benc *b = NULL;
	int err;

	err = dec_err((char *)mb->buf, mb->end);
	if (err)
		return err;

	err = benc_decode(&b, (char *)mb->buf, mb->end, NULL);
	if (!err)
		*depthp = depth_of(b);

	mem_deref(b);

	return err;
}


/* A list of n items "i0e": n + 1 nodes */
static int wide(struct mbuf *mb, unsigned n)
{
	int err;

	mbuf_rewind(mb);
	err = mbuf_write_u8(mb, 'l');
	for (unsigned i = 0; i < n; i++)
		err |= mbuf_write_str(mb, "i0e");
	err |= mbuf_write_u8(mb, 'e');

	return err;
}


/* A dict of n distinct keys of one length: n + 1 nodes */
static int wide_dict(struct mbuf *mb, unsigned n)
{
	int err;

	mbuf_rewind(mb);
	err = mbuf_write_u8(mb, 'd');
	for (unsigned i = 0; i < n; i++)
		err |= mbuf_printf(mb, "4:%04u0:", i);
	err |= mbuf_write_u8(mb, 'e');

	return err;
}


int test_benc_nested(void)
{
	struct mbuf *mb;
	unsigned depth = 0;
	int err;

	mb = mbuf_alloc(16384);
	if (!mb)
		return ENOMEM;

	err = nest(mb, "l", "", "e", BENC_DEPTH_MAX);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	TEST_EQUALS(BENC_DEPTH_MAX, depth);

	err = nest(mb, "l", "", "e", BENC_DEPTH_MAX + 1);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

	/* a scalar inside the deepest container adds no depth */
	err = nest(mb, "l", "i1e", "e", BENC_DEPTH_MAX);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	TEST_EQUALS(BENC_DEPTH_MAX, depth);

	err = nest(mb, "d1:k", "4:leaf", "e", BENC_DEPTH_MAX);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	TEST_EQUALS(BENC_DEPTH_MAX, depth);

	err = nest(mb, "d1:k", "4:leaf", "e", BENC_DEPTH_MAX + 1);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

	err = nest(mb, "ld1:k", "de", "ee", BENC_DEPTH_MAX / 2);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

	err = nest(mb, "ld1:k", "le", "ee", BENC_DEPTH_MAX / 2 - 1);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	TEST_EQUALS(BENC_DEPTH_MAX - 1, depth);

	/* far too deep: refused, not a stack overflow */
	err = nest(mb, "l", "", "e", 5000);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

	/* node limit: the top list counts */
	err = wide(mb, BENC_NODES_MAX - 1);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	err = wide(mb, BENC_NODES_MAX);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

	/* keys are not nodes; the duplicate check copes with many keys */
	err = wide_dict(mb, BENC_NODES_MAX - 1);
	TEST_ERR(err);
	TEST_EQUALS(0, nested(mb, &depth));
	err = wide_dict(mb, BENC_NODES_MAX);
	TEST_ERR(err);
	TEST_EQUALS(E2BIG, nested(mb, &depth));

 out:
	mem_deref(mb);
	return err;
}


int test_benc_huge(void)
{
	struct benc *b = NULL;
	struct mbuf *mb;
	int err = 0;

	mb = mbuf_alloc(70000);
	if (!mb)
		return ENOMEM;

	/* refused before anything is allocated or read */
	TEST_EQUALS(EOVERFLOW, dec_err_str("99999999999999999999:x"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("18446744073709551616:x"));
	TEST_EQUALS(EOVERFLOW, dec_err_str("d3:sdp99999999999999999999:xe"));
	TEST_EQUALS(ENODATA, dec_err_str("18446744073709551615:x"));
	TEST_EQUALS(ENODATA, dec_err_str("9223372036854775808:x"));
	TEST_EQUALS(ENODATA, dec_err_str("4294967296:abc"));
	TEST_EQUALS(ENODATA, dec_err_str("4294967297:x"));
	TEST_EQUALS(ENODATA, dec_err_str("d3:sdp4294967296:xe"));
	TEST_EQUALS(ENODATA, dec_err_str("l4294967296:xe"));
	TEST_EQUALS(ENODATA, dec_err_str("65536:x"));
	TEST_EQUALS(EBADMSG, dec_err_str("004294967296:x"));

	/* a long string that is all there */
	err = mbuf_write_str(mb, "65000:");
	for (size_t i = 0; i < 65000; i++)
		err |= mbuf_write_u8(mb, i % 2 ? 'e' : ':');
	TEST_ERR(err);

	err = benc_decode(&b, (char *)mb->buf, mb->end, NULL);
	TEST_ERR(err);
	TEST_EQUALS(65000, b->s.l);
	TEST_ASSERT(b->s.p == (char *)mb->buf + 6);
	b = mem_deref(b);

	TEST_EQUALS(ENODATA, dec_err((char *)mb->buf, mb->end - 1));

 out:
	mem_deref(b);
	mem_deref(mb);
	return err;
}


int test_benc_encode(void)
{
	static const char bin[] = "a\0b";
	struct pl pl = PL_INIT;
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;

	/* ng ping reply */
	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "result", "pong");
	err |= benc_enc_end(mb);
	TEST_ERR(err);
	TEST_MBSTR("d6:result4:ponge", mb);

	/* ng answer reply, keys in the caller's order */
	mbuf_rewind(mb);
	pl_set_str(&pl, "v=0\r\na=rtpmap:0 PCMU/8000\r\n");
	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "result", "ok");
	err |= benc_enc_kv_pl(mb, "sdp", &pl);
	err |= benc_enc_kv_int(mb, "created", 1700000000);
	err |= benc_enc_cstr(mb, "warnings");
	err |= benc_enc_list_begin(mb);
	err |= benc_enc_end(mb);
	err |= benc_enc_end(mb);
	TEST_ERR(err);
	TEST_MBSTR("d6:result2:ok3:sdp27:v=0\r\na=rtpmap:0 PCMU/8000\r\n"
		   "7:createdi1700000000e8:warningslee", mb);

	/* integers and strings at their edges */
	mbuf_rewind(mb);
	pl.p = bin;
	pl.l = sizeof(bin) - 1;
	err  = benc_enc_list_begin(mb);
	err |= benc_enc_int(mb, 0);
	err |= benc_enc_int(mb, -1);
	err |= benc_enc_int(mb, 10);
	err |= benc_enc_int(mb, INT64_MAX);
	err |= benc_enc_int(mb, INT64_MIN);
	err |= benc_enc_cstr(mb, "");
	err |= benc_enc_str(mb, &pl_null);
	err |= benc_enc_str(mb, &pl);
	err |= benc_enc_end(mb);
	TEST_ERR(err);
	TEST_MB(EDGES, sizeof(EDGES) - 1, mb);

	/* bad arguments write nothing */
	mbuf_rewind(mb);
	pl.p = NULL;
	pl.l = 3;
	TEST_EQUALS(EINVAL, benc_enc_int(NULL, 1));
	TEST_EQUALS(EINVAL, benc_enc_cstr(mb, NULL));
	TEST_EQUALS(EINVAL, benc_enc_str(mb, NULL));
	TEST_EQUALS(EINVAL, benc_enc_str(mb, &pl));
	TEST_EQUALS(EINVAL, benc_enc_kv_str(mb, NULL, "x"));
	TEST_EQUALS(EINVAL, benc_enc_kv_str(mb, "x", NULL));
	TEST_EQUALS(EINVAL, benc_enc_kv_pl(mb, "x", &pl));
	TEST_EQUALS(EINVAL, benc_enc_kv_int(mb, NULL, 1));
	TEST_EQUALS(EINVAL, benc_enc_dict_begin(NULL));
	TEST_EQUALS(EINVAL, benc_encode(mb, NULL));
	TEST_EQUALS(0, mb->end);
	err = 0;

 out:
	mem_deref(mb);
	return err;
}


/* decode, encode, compare; with trailing bytes too */
static int roundtrip(struct mbuf *out, const char *msg, size_t len)
{
	struct benc *b = NULL;
	struct mbuf *mb = NULL;
	size_t used = 0;
	int err;

	err = benc_decode(&b, msg, len, NULL);
	TEST_ERR(err);

	mbuf_rewind(out);
	err = benc_encode(out, b);
	TEST_ERR(err);
	TEST_MB(msg, len, out);
	b = mem_deref(b);

	mb = mbuf_alloc(len + 8);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}
	err  = mbuf_write_mem(mb, (const uint8_t *)msg, len);
	err |= mbuf_write_str(mb, "i1ejunk");
	TEST_ERR(err);

	err = benc_decode(&b, (char *)mb->buf, mb->end, &used);
	TEST_ERR(err);
	TEST_EQUALS(len, used);

	mbuf_rewind(out);
	err = benc_encode(out, b);
	TEST_ERR(err);
	TEST_MB(msg, len, out);

 out:
	mem_deref(mb);
	mem_deref(b);
	return err;
}


int test_benc_roundtrip(void)
{
	static const struct {
		const char *msg;
		size_t len;
	} msgs[] = {
#define M(s) {s, sizeof(s) - 1}
		M(PING),
		M(FLAGS),
		M("d1:bi1e1:ai-2e0:i3ee"),
		M("li0ei-1ei9223372036854775807ei-9223372036854775808ee"),
		M("l0:3:a\0b4:\0\0\0\0e"),
		M("d6:result2:ok5:callsl3:abc3:defe7:createdi1700000000e"
		  "4:tagsd3:abcd3:in1d7:packetsi10eeeee"),
		M("lllleeee"),
#undef M
	};
	const struct benc *n;
	struct mbuf *mb, *out = NULL;
	struct benc *b = NULL;
	int err = 0;

	mb = mbuf_alloc(512);
	out = mbuf_alloc(512);
	if (!mb || !out) {
		err = ENOMEM;
		goto out;
	}

	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		err = roundtrip(out, msgs[i].msg, msgs[i].len);
		TEST_ERR(err);
	}

	err = offer_msg(mb);
	TEST_ERR(err);
	err = roundtrip(out, (char *)mb->buf, mb->end);
	TEST_ERR(err);

	/* what the encoder writes, the decoder reads back */
	mbuf_rewind(mb);
	err  = benc_enc_dict_begin(mb);
	err |= benc_enc_kv_str(mb, "sdp", SDP);
	err |= benc_enc_kv_int(mb, "n", INT64_MIN);
	err |= benc_enc_end(mb);
	TEST_ERR(err);

	err = benc_decode(&b, (char *)mb->buf, mb->end, NULL);
	TEST_ERR(err);
	TEST_ASSERT(benc_str_eq(benc_dict_get(b, "sdp"), SDP));
	n = benc_dict_get(b, "n");
	TEST_ASSERT(n && n->type == BENC_INT && n->i == INT64_MIN);
	err = roundtrip(out, (char *)mb->buf, mb->end);
	TEST_ERR(err);

 out:
	mem_deref(b);
	mem_deref(out);
	mem_deref(mb);
	return err;
}
