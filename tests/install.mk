# tests/install.mk - `make install` into a scratch DESTDIR, a glibc program
# linked through pkg-config, and the library built with gcc and clang.
install-test: all
	@tests/deps.sh pkg-config clang
	@sh tests/install.sh

TEST_TARGETS += install-test
.PHONY: install-test
