/* ncurses (package libncurses-dev) for `ww monitor`, with the macros Swift cannot import as functions. */
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/curses.h>
#include <locale.h>

static inline int ww_curses_lines(void) { return LINES; }
static inline int ww_curses_cols(void) { return COLS; }
static inline int ww_curses_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int ww_curses_attr_bold(void) { return (int)A_BOLD; }
static inline int ww_curses_attr_reverse(void) { return (int)A_REVERSE; }
static inline int ww_curses_attr_dim(void) { return (int)A_DIM; }
static inline int ww_curses_attr_underline(void) { return (int)A_UNDERLINE; }
static inline WINDOW *ww_curses_stdscr(void) { return stdscr; }
static inline int ww_curses_key_resize(void) { return KEY_RESIZE; }
