/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_bencode.c  libFuzzer target: the ng bencode codec
 *
 * Input is refused with one of the documented errors, or decodes to a
 * tree that encodes back to exactly the bytes it was decoded from, and
 * whose every dict entry is found by its key. Never a crash.
 */
#include <string.h>
#include <re.h>
#include "bencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/*
 * Within the limits, and every entry of every dict is the one its key
 * finds. depth: containers above b. Returns the nodes in the tree
 */
static size_t check_tree(const struct benc *b, unsigned depth)
{
	size_t nodes = 1;
	struct le *le;

	if ((b->type == BENC_LIST || b->type == BENC_DICT) &&
	    depth >= BENC_DEPTH_MAX)
		__builtin_trap();

	LIST_FOREACH(&b->items, le) {
		const struct benc *item = le->data;
		char key[64];

		if (b->type == BENC_DICT && item->key.l < sizeof(key) &&
		    !memchr(item->key.p, '\0', item->key.l)) {
			(void)pl_strcpy(&item->key, key, sizeof(key));
			if (benc_dict_get(b, key) != item)
				__builtin_trap();
		}

		nodes += check_tree(item, depth + 1);
	}

	return nodes;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct benc *b = NULL, *whole = NULL;
	struct mbuf *mb;
	size_t used = 0;
	int err;

	err = benc_decode(&b, buf, size, &used);
	switch (err) {

	case 0:
		break;

	case EBADMSG: case ENODATA: case EOVERFLOW: case E2BIG: case ENOMEM:
		/* refused with room for more: refused without it */
		if (benc_decode(&whole, buf, size, NULL) != err)
			__builtin_trap();
		return 0;

	default:
		__builtin_trap();
	}

	if (used == 0 || used > size)
		__builtin_trap();

	/* without usedp, exactly the inputs with nothing after the value */
	err = benc_decode(&whole, buf, size, NULL);
	if (used == size ? err != 0 : err != EBADMSG)
		__builtin_trap();

	if (check_tree(b, 0) > BENC_NODES_MAX)
		__builtin_trap();

	mb = mbuf_alloc(used);
	if (!mb || benc_encode(mb, b) ||
	    mb->end != used || memcmp(mb->buf, data, used))
		__builtin_trap();

	mem_deref(mb);
	mem_deref(whole);
	mem_deref(b);

	return 0;
}
