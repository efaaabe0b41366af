# SPDX-License-Identifier: BSD-3-Clause
# build-lib.sh: what every script that builds umedge shares (sourced by
# sh and bash): the bootstrap of a fresh clone or a stale tree.

# um_bootstrap TOP: make configure and Makefile.in (autoreconf -fi)
# when they are missing (a fresh clone) or older than configure.ac or
# Makefile.am; nothing otherwise
um_bootstrap() {
	(
		cd "$1" || exit 1
		[ -x configure ] && [ configure -nt configure.ac ] &&
			[ Makefile.in -nt Makefile.am ] && exit 0
		autoreconf -fi
	)
}
