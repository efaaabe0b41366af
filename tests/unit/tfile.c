/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tfile.c  Test data files: tests/data/DIR/NAME.EXT read whole
 */
#include <stdio.h>
#include <re.h>
#include "test.h"


/**
 * Read a file of tests/data into a new mbuf (pos 0)
 *
 * @param mbp  Set to the file's bytes
 * @param dir  Folder under tests/data
 * @param name File name without its extension
 * @param ext  Extension with its dot, "" for none
 *
 * @return 0 if success, otherwise errorcode (and a failure printed)
 */
int test_file_load(struct mbuf **mbp, const char *dir, const char *name,
		   const char *ext)
{
	struct mbuf *mb = NULL;
	uint8_t buf[4096];
	char path[512];
	FILE *f;
	size_t n;
	int err = 0;

	if (re_snprintf(path, sizeof(path), "%s/tests/data/%s/%s%s",
			UM_SRCDIR, dir, name, ext) < 0)
		return ENAMETOOLONG;

	f = fopen(path, "rb");
	if (!f) {
		TEST_FAIL("%s: cannot open\n", path);
		return ENOENT;
	}

	mb = mbuf_alloc(sizeof(buf));
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	while (!err && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		err = mbuf_write_mem(mb, buf, n);

	if (ferror(f))
		err = EIO;

	mb->pos = 0;

 out:
	(void)fclose(f);
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}
