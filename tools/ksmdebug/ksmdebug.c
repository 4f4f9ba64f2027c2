// SPDX-License-Identifier: GPL-2.0
/* ksmdebug: main() only; the commands are in live.c for now. */
int ksmdebug_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return ksmdebug_main(argc, argv);
}
