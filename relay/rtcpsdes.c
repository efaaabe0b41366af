/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file rtcpsdes.c  RTCP compound packets: checked, and their SDES CNAME
 *                   rewritten
 *
 * An RTCP sender's SDES CNAME names it ("user@host", RFC 3550 §6.5.1;
 * a gateway's address, or a UM host's name): relayed as it came, it
 * tells each side of the edge who is on the other. The relay gives each
 * side of a stream a CNAME of its own and writes it over the sender's.
 *
 * A compound packet (RFC 3550 §6.1, A.2) is a run of RTCP packets, each
 * version 2 with a length in 32-bit words that keeps it inside the
 * datagram; only the last may be padded. In an SDES packet (PT 202)
 * each of SC chunks is an SSRC and items (type, length, text) up to an
 * END item and zero padding to the next 32-bit boundary. CNAME items
 * are replaced; the other items and packets are copied as they are, but
 * an SDES packet's own padding is dropped. Anything else is malformed:
 * the caller forwards the datagram unchanged or drops it.
 */
#include <string.h>
#include <re.h>
#include "rtcpsdes.h"


enum {
	HDR_LEN   = 4,     /**< RTCP common header                */
	PT_SDES   = 202,   /**< SDES packet type                  */
	SDES_END  = 0,     /**< END item                          */
	SDES_CNAME = 1,    /**< CNAME item                        */
	ITEM_MAX  = 255,   /**< Longest item text                 */
};

/** A buffer being written */
struct wbuf {
	uint8_t *p;        /**< Start                             */
	size_t sz;         /**< Size                              */
	size_t n;          /**< Written                           */
};


static int put(struct wbuf *w, const void *p, size_t len)
{
	if (w->n + len > w->sz)
		return ENOSPC;

	if (len)
		memcpy(w->p + w->n, p, len);
	w->n += len;

	return 0;
}


static int put_zeros(struct wbuf *w, size_t len)
{
	if (w->n + len > w->sz)
		return ENOSPC;

	memset(w->p + w->n, 0, len);
	w->n += len;

	return 0;
}


/* One chunk's items from p (at most len bytes): written to w with the
 * CNAME replaced; *usedp is the chunk's length in, padding included */
static int chunk_items(struct wbuf *w, const uint8_t *p, size_t len,
		       const struct pl *cname, size_t *usedp)
{
	size_t i = 0, start = w->n;
	int err = 0;

	for (;;) {
		uint8_t type, ilen;

		if (i >= len)
			return EBADMSG;          /* no END */

		type = p[i];
		if (type == SDES_END)
			break;

		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return EBADMSG;
		ilen = p[i + 1];

		if (type == SDES_CNAME) {
			uint8_t h[2] = {SDES_CNAME, (uint8_t)cname->l};

			err = put(w, h, 2);
			err = err ? err : put(w, cname->p, cname->l);
		}
		else {
			err = put(w, p + i, 2 + (size_t)ilen);
		}
		if (err)
			return err;

		i += 2 + (size_t)ilen;
	}

	/* END, then zeros to the chunk's 32-bit boundary (the chunk began
	 * 4 bytes before p: its SSRC) */
	++i;
	i += (4 - ((4 + i) % 4)) % 4;
	if (i > len)
		return EBADMSG;

	*usedp = i;
	err = put_zeros(w, 1);
	err = err ? err : put_zeros(w, (4 - ((4 + w->n - start) % 4)) % 4);

	return err;
}


/* An SDES packet's body (after its header, padding removed) */
static int sdes_body(struct wbuf *w, const uint8_t *p, size_t len,
		     unsigned count, const struct pl *cname)
{
	size_t off = 0;

	for (unsigned c = 0; c < count; c++) {
		size_t used = 0;
		int err;

		if (off + 4 > len)
			return EBADMSG;

		err = put(w, p + off, 4);
		err = err ? err : chunk_items(w, p + off + 4, len - off - 4,
					      cname, &used);
		if (err)
			return err;

		off += 4 + used;
	}

	return off == len ? 0 : EBADMSG;
}


/* One SDES packet of plen bytes at p, rewritten into w */
static int sdes_rewrite(struct wbuf *w, const uint8_t *p, size_t plen,
			const struct pl *cname)
{
	size_t hdr = w->n, blen = plen - HDR_LEN;
	unsigned count = p[0] & 0x1f;
	size_t words;
	int err;

	if (p[0] & 0x20) {              /* padded: drop it */
		uint8_t pad = p[plen - 1];

		if (!pad || pad > blen)
			return EBADMSG;
		blen -= pad;
	}

	err = put(w, p, HDR_LEN);
	err = err ? err : sdes_body(w, p + HDR_LEN, blen, count, cname);
	if (err)
		return err;

	words = (w->n - hdr) / 4 - 1;
	if (words > 0xffff)
		return EBADMSG;

	w->p[hdr] = (uint8_t)(p[0] & ~0x20);
	w->p[hdr + 2] = (uint8_t)(words >> 8);
	w->p[hdr + 3] = (uint8_t)(words & 0xff);

	return 0;
}


/**
 * Check an RTCP compound packet and write it with every SDES CNAME
 * replaced
 *
 * @param out    Buffer for the result
 * @param outsz  Its size
 * @param outlen Length of the result
 * @param in     The packet (plain RTCP; SRTCP once decrypted)
 * @param len    Its length
 * @param cname  The CNAME to write, 1-255 bytes
 *
 * @return 0 if success, EBADMSG if malformed, ENOSPC if out is too
 *         small, EINVAL for bad arguments
 */
int rtcpsdes_rewrite(uint8_t *out, size_t outsz, size_t *outlen,
		     const uint8_t *in, size_t len, const struct pl *cname)
{
	struct wbuf w = {out, outsz, 0};
	size_t off = 0;

	if (!out || !outlen || !in || !cname || !cname->p || !cname->l ||
	    cname->l > ITEM_MAX)
		return EINVAL;

	if (len < HDR_LEN || len % 4)
		return EBADMSG;

	while (off < len) {
		const uint8_t *p = in + off;
		size_t plen;
		int err;

		if (len - off < HDR_LEN || (p[0] >> 6) != 2)
			return EBADMSG;

		plen = ((size_t)p[2] << 8 | p[3]) * 4 + 4;
		if (plen > len - off)
			return EBADMSG;

		/* only the last packet of a compound may be padded */
		if ((p[0] & 0x20) && off + plen != len)
			return EBADMSG;

		err = p[1] == PT_SDES ? sdes_rewrite(&w, p, plen, cname) :
			put(&w, p, plen);
		if (err)
			return err;

		off += plen;
	}

	*outlen = w.n;

	return 0;
}
