/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file bencode.c  Bencode codec for the ng control protocol
 *
 * The decoder checks a value's length and the limits before it
 * allocates the value's node, and never reads past buf + len. Nothing
 * in the input can make it allocate more than BENC_NODES_MAX nodes,
 * recurse deeper than BENC_DEPTH_MAX, or read a string it has not
 * bounded first. Duplicate keys are found with a hash set over all the
 * dicts of one decode, so a dict of thousands of keys stays cheap.
 *
 * Integers are formatted here, not with re_printf: libre 1.1.0's "%lli"
 * negates its argument, which is undefined for INT64_MIN.
 */
#include <string.h>
#include <re.h>
#include "bencode.h"


/* Decoder state */
struct dec {
	const char *p;             /* next byte to read                 */
	const char *end;           /* one past the last byte            */
	unsigned nodes;            /* nodes allocated so far            */
	const struct benc **keys;  /* dict entries so far, hashed       */
	size_t ksize;              /* slots in keys, a power of two     */
	size_t kcount;             /* entries in keys                   */
	uint32_t seed;             /* random start for the key hash     */
};


static int dec_value(struct dec *d, unsigned depth, struct benc **bp);


static void benc_destructor(void *data)
{
	struct benc *b = data;

	list_flush(&b->items);
	list_unlink(&b->le);
}


static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}


/*
 * Canonical decimal digits up to and including the terminator: at
 * least one digit, no leading zero unless the number is 0, at most max.
 * Malformed input is reported at the first byte that shows it.
 */
static int dec_uint(struct dec *d, char term, uint64_t max, uint64_t *vp)
{
	const char *start = d->p;
	uint64_t v = 0;

	for (;;) {
		unsigned digit;

		if (d->p == d->end)
			return ENODATA;

		if (*d->p == term)
			break;

		if (!is_digit(*d->p) || (d->p > start && *start == '0'))
			return EBADMSG;

		digit = (unsigned)(*d->p - '0');
		if (v > (max - digit) / 10)
			return EOVERFLOW;

		v = v * 10 + digit;
		++d->p;
	}

	if (d->p == start)
		return EBADMSG;

	++d->p;
	*vp = v;

	return 0;
}


/* "i<int64>e", not "i-0e" */
static int dec_int(struct dec *d, int64_t *vp)
{
	const uint64_t max = INT64_MAX;
	bool neg = false;
	uint64_t v;
	int err;

	++d->p;

	if (d->p < d->end && *d->p == '-') {
		neg = true;
		++d->p;
		if (d->p < d->end && *d->p == '0')
			return EBADMSG;
	}

	err = dec_uint(d, 'e', neg ? max + 1 : max, &v);
	if (err)
		return err;

	*vp = neg ? -(int64_t)(v - 1) - 1 : (int64_t)v;

	return 0;
}


/* "<len>:<bytes>", bounded by the buffer before anything is read */
static int dec_str(struct dec *d, struct pl *s)
{
	uint64_t n;
	int err;

	err = dec_uint(d, ':', UINT64_MAX, &n);
	if (err)
		return err;

	if (n > (uint64_t)(d->end - d->p))
		return ENODATA;

	s->p = d->p;
	s->l = (size_t)n;
	d->p += n;

	return 0;
}


static int node_alloc(struct dec *d, enum benc_type type, struct benc **bp)
{
	struct benc *b;

	if (d->nodes >= BENC_NODES_MAX)
		return E2BIG;

	b = mem_zalloc(sizeof(*b), benc_destructor);
	if (!b)
		return ENOMEM;

	++d->nodes;
	b->type = type;
	*bp = b;

	return 0;
}


static struct benc *dict_find(const struct benc *dict, const struct pl *key)
{
	struct le *le;

	LIST_FOREACH(&dict->items, le) {
		struct benc *b = le->data;

		if (0 == pl_cmp(&b->key, key))
			return b;
	}

	return NULL;
}


static uint32_t joaat_add(uint32_t h, const void *p, size_t n)
{
	const uint8_t *u = p;

	for (size_t i = 0; i < n; i++) {
		h += u[i];
		h += h << 10;
		h ^= h >> 6;
	}

	return h;
}


/*
 * Jenkins one-at-a-time over the dict (told by the list the entry is
 * in) and the key, from a random seed, so that no one can prepare keys
 * that all collide
 */
static uint32_t key_hash(uint32_t seed, const struct benc *b)
{
	const struct list *list = b->le.list;
	uint32_t h;

	h = joaat_add(seed, &list, sizeof(list));
	h = joaat_add(h, b->key.p, b->key.l);

	h += h << 3;
	h ^= h >> 11;
	h += h << 15;

	return h;
}


/* The slot of the entry with b's dict and key, or the free slot for it */
static size_t keys_find(const struct dec *d, const struct benc *b)
{
	const size_t mask = d->ksize - 1;
	size_t i = key_hash(d->seed, b) & mask;

	while (d->keys[i]) {
		const struct benc *k = d->keys[i];

		if (k->le.list == b->le.list && 0 == pl_cmp(&k->key, &b->key))
			break;

		i = (i + 1) & mask;
	}

	return i;
}


static int keys_grow(struct dec *d)
{
	const struct benc **old = d->keys;
	const size_t oldsize = d->ksize;
	const size_t size = oldsize ? oldsize * 2 : 32;

	d->keys = mem_zalloc(size * sizeof(*d->keys), NULL);
	if (!d->keys) {
		d->keys = old;
		return ENOMEM;
	}

	d->ksize = size;
	d->seed = rand_u32();

	for (size_t i = 0; i < oldsize; i++) {
		if (old[i])
			d->keys[keys_find(d, old[i])] = old[i];
	}

	mem_deref(old);

	return 0;
}


/*
 * Remember a dict entry, EBADMSG if its dict has the key already. A
 * hash set, not a walk of the dict: 4095 keys cost 4095 probes, not
 * 8 million comparisons
 */
static int keys_add(struct dec *d, const struct benc *b)
{
	size_t i;
	int err;

	if (2 * (d->kcount + 1) > d->ksize) {
		err = keys_grow(d);
		if (err)
			return err;
	}

	i = keys_find(d, b);
	if (d->keys[i])
		return EBADMSG;

	d->keys[i] = b;
	++d->kcount;

	return 0;
}


/* One list item, or one dict key and its value */
static int dec_member(struct dec *d, struct benc *parent, unsigned depth)
{
	struct pl key = PL_INIT;
	struct benc *b;
	int err;

	if (parent->type == BENC_DICT) {
		if (!is_digit(*d->p))
			return EBADMSG;

		err = dec_str(d, &key);
		if (err)
			return err;
	}

	err = dec_value(d, depth, &b);
	if (err)
		return err;

	b->key = key;
	list_append(&parent->items, &b->le, b);

	return parent->type == BENC_DICT ? keys_add(d, b) : 0;
}


/* "l<value>*e" or "d(<str><value>)*e" at the given depth */
static int dec_container(struct dec *d, enum benc_type type,
			 unsigned depth, struct benc **bp)
{
	struct benc *b;
	int err;

	if (depth > BENC_DEPTH_MAX)
		return E2BIG;

	err = node_alloc(d, type, &b);
	if (err)
		return err;

	++d->p;

	for (;;) {
		if (d->p == d->end) {
			err = ENODATA;
			goto out;
		}

		if (*d->p == 'e')
			break;

		err = dec_member(d, b, depth);
		if (err)
			goto out;
	}

	++d->p;

 out:
	if (err)
		mem_deref(b);
	else
		*bp = b;

	return err;
}


/* An integer or a string, read in full before its node is allocated */
static int dec_scalar(struct dec *d, struct benc **bp)
{
	enum benc_type type;
	struct pl s = PL_INIT;
	int64_t i = 0;
	int err;

	if (*d->p == 'i') {
		type = BENC_INT;
		err = dec_int(d, &i);
	}
	else if (is_digit(*d->p)) {
		type = BENC_STR;
		err = dec_str(d, &s);
	}
	else {
		return EBADMSG;
	}

	if (err)
		return err;

	err = node_alloc(d, type, bp);
	if (err)
		return err;

	(*bp)->i = i;
	(*bp)->s = s;

	return 0;
}


/* depth: containers enclosing this value */
static int dec_value(struct dec *d, unsigned depth, struct benc **bp)
{
	if (d->p == d->end)
		return ENODATA;

	switch (*d->p) {

	case 'l':
		return dec_container(d, BENC_LIST, depth + 1, bp);

	case 'd':
		return dec_container(d, BENC_DICT, depth + 1, bp);

	default:
		return dec_scalar(d, bp);
	}
}


/**
 * Decode one bencode value into a tree
 *
 * @param bp    Pointer to the decoded tree, set only on success
 * @param buf   Input; strings and keys in the tree point into it
 * @param len   Length of the input
 * @param usedp Optional: bytes the value took. If NULL, the value must
 *              fill the whole buffer
 *
 * @return 0 if success, otherwise an error listed in bencode.h
 */
int benc_decode(struct benc **bp, const char *buf, size_t len,
		size_t *usedp)
{
	struct dec d = {NULL, NULL, 0, NULL, 0, 0, 0};
	struct benc *b = NULL;
	size_t used;
	int err;

	if (!bp || (!buf && len))
		return EINVAL;

	if (!len)
		return ENODATA;

	d.p = buf;
	d.end = buf + len;

	err = dec_value(&d, 0, &b);
	if (err)
		goto out;

	used = (size_t)(d.p - buf);
	if (!usedp && used != len) {
		err = EBADMSG;
		goto out;
	}

	if (usedp)
		*usedp = used;

 out:
	mem_deref(d.keys);

	if (err)
		mem_deref(b);
	else
		*bp = b;

	return err;
}


/**
 * Find a dictionary entry
 *
 * @param dict Dictionary
 * @param key  Key to look for
 *
 * @return the value, NULL if dict is not a dictionary or has no such key
 */
const struct benc *benc_dict_get(const struct benc *dict, const char *key)
{
	struct pl k;

	if (!dict || dict->type != BENC_DICT || !key)
		return NULL;

	pl_set_str(&k, key);

	return dict_find(dict, &k);
}


/* The entry for key, of the wanted type */
static int dict_typed(const struct benc **bp, const struct benc *dict,
		      const char *key, enum benc_type type)
{
	if (!dict || dict->type != BENC_DICT || !key)
		return EINVAL;

	*bp = benc_dict_get(dict, key);
	if (!*bp)
		return ENOENT;

	return (*bp)->type == type ? 0 : EPROTO;
}


/**
 * Get a string from a dictionary
 *
 * @param dict Dictionary
 * @param key  Key to look for
 * @param val  Set to the string, pointing into the decoded input
 *
 * @return 0 if success, ENOENT if missing, EPROTO if not a string
 */
int benc_dict_str(const struct benc *dict, const char *key,
		  struct pl *val)
{
	const struct benc *b;
	int err;

	if (!val)
		return EINVAL;

	err = dict_typed(&b, dict, key, BENC_STR);
	if (err)
		return err;

	*val = b->s;

	return 0;
}


/**
 * Get an integer from a dictionary
 *
 * @param dict Dictionary
 * @param key  Key to look for
 * @param val  Set to the integer
 *
 * @return 0 if success, ENOENT if missing, EPROTO if not an integer
 */
int benc_dict_int(const struct benc *dict, const char *key, int64_t *val)
{
	const struct benc *b;
	int err;

	if (!val)
		return EINVAL;

	err = dict_typed(&b, dict, key, BENC_INT);
	if (err)
		return err;

	*val = b->i;

	return 0;
}


/**
 * Compare a string value with a C string
 *
 * @param b Value, may be NULL
 * @param s C string
 *
 * @return true if b is a string with exactly the bytes of s
 */
bool benc_str_eq(const struct benc *b, const char *s)
{
	if (!b || b->type != BENC_STR || !s)
		return false;

	return 0 == pl_strcmp(&b->s, s);
}


/* Decimal digits of v */
static int enc_u64(struct mbuf *mb, uint64_t v)
{
	uint8_t buf[20];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (uint8_t)('0' + v % 10);
		v /= 10;
	} while (v);

	return mbuf_write_mem(mb, buf + i, sizeof(buf) - i);
}


/**
 * Encode a byte string. On error the mbuf may hold part of it
 *
 * @param mb Buffer to append to
 * @param s  The bytes; a pl with NULL pointer and length 0 is ""
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_str(struct mbuf *mb, const struct pl *s)
{
	int err;

	if (!mb || !s || (!s->p && s->l))
		return EINVAL;

	err  = enc_u64(mb, s->l);
	err |= mbuf_write_u8(mb, ':');

	/* mbuf_write_mem() refuses a NULL pointer even for 0 bytes */
	if (s->l)
		err |= mbuf_write_mem(mb, (const uint8_t *)s->p, s->l);

	return err;
}


/**
 * Encode a C string as a byte string
 *
 * @param mb Buffer to append to
 * @param s  NUL-terminated string
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_cstr(struct mbuf *mb, const char *s)
{
	struct pl pl;

	if (!s)
		return EINVAL;

	pl_set_str(&pl, s);

	return benc_enc_str(mb, &pl);
}


/**
 * Encode an integer
 *
 * @param mb Buffer to append to
 * @param v  Value, INT64_MIN included
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_int(struct mbuf *mb, int64_t v)
{
	int err;

	if (!mb)
		return EINVAL;

	err = mbuf_write_u8(mb, 'i');
	if (v < 0)
		err |= mbuf_write_u8(mb, '-');
	err |= enc_u64(mb, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	err |= mbuf_write_u8(mb, 'e');

	return err;
}


/**
 * Open a dictionary; close it with benc_enc_end(). Keys are written
 * in the order the caller gives them
 *
 * @param mb Buffer to append to
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_dict_begin(struct mbuf *mb)
{
	return mb ? mbuf_write_u8(mb, 'd') : EINVAL;
}


/**
 * Open a list; close it with benc_enc_end()
 *
 * @param mb Buffer to append to
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_list_begin(struct mbuf *mb)
{
	return mb ? mbuf_write_u8(mb, 'l') : EINVAL;
}


/**
 * Close the innermost open list or dictionary
 *
 * @param mb Buffer to append to
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_end(struct mbuf *mb)
{
	return mb ? mbuf_write_u8(mb, 'e') : EINVAL;
}


/**
 * Encode a dictionary entry with a C string value
 *
 * @param mb  Buffer to append to
 * @param key Key
 * @param val Value
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_kv_str(struct mbuf *mb, const char *key, const char *val)
{
	int err;

	if (!mb || !key || !val)
		return EINVAL;

	err = benc_enc_cstr(mb, key);
	if (err)
		return err;

	return benc_enc_cstr(mb, val);
}


/**
 * Encode a dictionary entry with a pointer-length value
 *
 * @param mb  Buffer to append to
 * @param key Key
 * @param val Value
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_kv_pl(struct mbuf *mb, const char *key, const struct pl *val)
{
	int err;

	if (!mb || !key || !val || (!val->p && val->l))
		return EINVAL;

	err = benc_enc_cstr(mb, key);
	if (err)
		return err;

	return benc_enc_str(mb, val);
}


/**
 * Encode a dictionary entry with an integer value
 *
 * @param mb  Buffer to append to
 * @param key Key
 * @param v   Value
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_enc_kv_int(struct mbuf *mb, const char *key, int64_t v)
{
	int err;

	if (!mb || !key)
		return EINVAL;

	err = benc_enc_cstr(mb, key);
	if (err)
		return err;

	return benc_enc_int(mb, v);
}


static int enc_container(struct mbuf *mb, const struct benc *b)
{
	struct le *le;
	int err;

	err = mbuf_write_u8(mb, b->type == BENC_DICT ? 'd' : 'l');
	if (err)
		return err;

	LIST_FOREACH(&b->items, le) {
		const struct benc *item = le->data;

		if (b->type == BENC_DICT)
			err = benc_enc_str(mb, &item->key);
		if (!err)
			err = benc_encode(mb, item);
		if (err)
			return err;
	}

	return benc_enc_end(mb);
}


/**
 * Encode a tree, e.g. one from benc_decode(). A decoded tree encodes
 * to exactly the bytes it was decoded from
 *
 * @param mb Buffer to append to
 * @param b  Tree
 *
 * @return 0 if success, otherwise errorcode
 */
int benc_encode(struct mbuf *mb, const struct benc *b)
{
	if (!mb || !b)
		return EINVAL;

	switch (b->type) {

	case BENC_INT:
		return benc_enc_int(mb, b->i);

	case BENC_STR:
		return benc_enc_str(mb, &b->s);

	case BENC_LIST:
	case BENC_DICT:
		return enc_container(mb, b);

	default:
		return EINVAL;
	}
}
