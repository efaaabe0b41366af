/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file replay.c  Runs a libFuzzer target's inputs without libFuzzer:
 *                 each file of each directory (or each file) named on
 *                 the command line goes to LLVMFuzzerTestOneInput once
 *
 * Linked with one target under the normal build (gcc, ASan and UBSan
 * when configured so), it replays the kept corpus and the regression
 * inputs in make check. A crash or a sanitizer report fails it as it
 * would fail the fuzzer; it prints how many inputs ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <re.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

enum { INPUT_MAX = 1 << 20 };


/* one input, in a buffer of its exact size (ASan sees reads past it) */
static int replay_file(const char *path, unsigned *np)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t n;
	FILE *f;
	int err = 0;

	f = fopen(path, "rb");
	if (!f)
		return errno;

	if (fstat(fileno(f), &st) || st.st_size > INPUT_MAX) {
		err = EFBIG;
		goto out;
	}

	n = (size_t)st.st_size;
	buf = malloc(n ? n : 1);
	if (!buf) {
		err = ENOMEM;
		goto out;
	}

	if (fread(buf, 1, n, f) != n) {
		err = EIO;
		goto out;
	}

	(void)LLVMFuzzerTestOneInput(buf, n);
	++*np;

 out:
	free(buf);
	(void)fclose(f);
	return err;
}


static int replay_dir(const char *dir, unsigned *np)
{
	struct dirent *de;
	char path[4096];
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d)
		return errno;

	while (!err && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (re_snprintf(path, sizeof(path), "%s/%s", dir,
				de->d_name) < 0)
			err = ENAMETOOLONG;
		else if (!stat(path, &st) && S_ISREG(st.st_mode))
			err = replay_file(path, np);
	}

	(void)closedir(d);
	return err;
}


int main(int argc, char **argv)
{
	unsigned n = 0;
	int err = 0;

	if (argc < 2) {
		(void)re_fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}

	if (LLVMFuzzerInitialize && LLVMFuzzerInitialize(&argc, &argv)) {
		(void)re_fprintf(stderr, "%s: initialisation failed\n",
				 argv[0]);
		return 1;
	}

	for (int i = 1; !err && i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st))
			err = errno;
		else if (S_ISDIR(st.st_mode))
			err = replay_dir(argv[i], &n);
		else
			err = replay_file(argv[i], &n);

		if (err)
			(void)re_fprintf(stderr, "%s: %s: %m\n", argv[0],
					 argv[i], err);
	}

	(void)re_printf("%s: %u inputs replayed\n", argv[0], n);

	return err ? 1 : 0;
}
