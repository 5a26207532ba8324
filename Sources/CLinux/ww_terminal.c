#define _GNU_SOURCE
#include "ww_terminal.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;

int ww_terminal_save(int fd) {
    if (tcgetattr(fd, &saved) != 0) return -1;
    saved_fd = fd;
    return 0;
}

void ww_terminal_restore(void) {
    if (saved_fd < 0) return;
    /* Normal attributes, cursor shown, keypad mode off, the main screen back. */
    static const char reset[] = "\033[0m\033[?25h\033[?1l\033>\033[?1049l\r\n";
    ssize_t ignored = write(saved_fd, reset, sizeof reset - 1);
    (void)ignored;
    tcsetattr(saved_fd, TCSANOW, &saved);
}

static void on_crash(int sig) {
    ww_terminal_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

void ww_terminal_restore_on_crash(void) {
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_crash;
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal[i], &sa, NULL);
    }
}
