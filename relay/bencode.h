/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bencode.h  Bencode codec for the ng control protocol
 *
 * rtpengine's "ng" protocol carries one bencode dictionary per UDP
 * datagram, after a cookie and a space. This module decodes bencode
 * into a tree of struct benc and encodes bencode into a struct mbuf.
 *
 * The decoder is zero-copy: every string and dictionary key is a
 * struct pl into the input buffer, which the caller keeps alive for as
 * long as the tree is used. Dictionary keys are kept in the order they
 * were received; they need not be sorted, but must be unique strings.
 * The children of a list or dictionary are its items list, in order;
 * a dictionary's child carries its key in key.
 *
 * Limits: containers (lists and dictionaries) nest at most
 * BENC_DEPTH_MAX deep, the top-level container being depth 1; a tree
 * has at most BENC_NODES_MAX nodes, keys not counted.
 *
 * Decoding errors (errno values):
 *   EBADMSG    malformed: bad syntax, "-0" or a leading zero, a
 *              dictionary key that is not a string or is repeated, or
 *              bytes left after the value (usedp NULL)
 *   ENODATA    truncated: the buffer ends before the value does,
 *              including a string length beyond the end of the buffer
 *   EOVERFLOW  an integer outside int64, or a string length
 *              outside uint64
 *   E2BIG      nesting deeper than BENC_DEPTH_MAX, or more than
 *              BENC_NODES_MAX nodes
 */
#ifndef UMEDGE_BENCODE_H
#define UMEDGE_BENCODE_H

enum {
	BENC_DEPTH_MAX = 32,    /**< Deepest container nesting          */
	BENC_NODES_MAX = 4096,  /**< Most nodes in one decoded tree     */
};

/** Type of a bencode value */
enum benc_type {
	BENC_INT,   /**< Integer: "i42e"                  */
	BENC_STR,   /**< Byte string: "4:spam"            */
	BENC_LIST,  /**< List: "l...e"                    */
	BENC_DICT,  /**< Dictionary: "d<key><value>...e"  */
};

/** One decoded value */
struct benc {
	struct le le;         /**< Member of the parent's items          */
	enum benc_type type;  /**< What this value is                    */
	struct pl key;        /**< Its key, when the parent is a dict    */
	int64_t i;            /**< The value of a BENC_INT               */
	struct pl s;          /**< The bytes of a BENC_STR, in the input */
	struct list items;    /**< Children of a BENC_LIST or BENC_DICT  */
};

int  benc_decode(struct benc **bp, const char *buf, size_t len,
		 size_t *usedp);

const struct benc *benc_dict_get(const struct benc *dict, const char *key);
int  benc_dict_str(const struct benc *dict, const char *key,
		   struct pl *val);
int  benc_dict_int(const struct benc *dict, const char *key, int64_t *val);
bool benc_str_eq(const struct benc *b, const char *s);

int  benc_enc_str(struct mbuf *mb, const struct pl *s);
int  benc_enc_cstr(struct mbuf *mb, const char *s);
int  benc_enc_int(struct mbuf *mb, int64_t v);
int  benc_enc_dict_begin(struct mbuf *mb);
int  benc_enc_list_begin(struct mbuf *mb);
int  benc_enc_end(struct mbuf *mb);
int  benc_enc_kv_str(struct mbuf *mb, const char *key, const char *val);
int  benc_enc_kv_pl(struct mbuf *mb, const char *key, const struct pl *val);
int  benc_enc_kv_int(struct mbuf *mb, const char *key, int64_t v);
int  benc_encode(struct mbuf *mb, const struct benc *b);

#endif
