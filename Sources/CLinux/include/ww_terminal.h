#ifndef WW_TERMINAL_H
#define WW_TERMINAL_H

/* Saves the terminal's settings (tcgetattr on fd) for ww_terminal_restore; 0 or -1. */
int ww_terminal_save(int fd);
/* Puts the saved settings back and leaves the full-screen mode with escape sequences written
   straight to the fd: async-signal-safe, for a crash handler. */
void ww_terminal_restore(void);
/* On SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT and SIGFPE: restore the terminal, then die of the
   same signal (the default action runs). */
void ww_terminal_restore_on_crash(void);

#endif
