/*
 * fileprobe.c - a Windows console program that tries file operations through Wine's Z: drive
 * (Z:\ is the Unix /) and prints one line per attempt:
 *
 *     PROBE <name> <OK|BLOCKED> <detail>
 *
 * Arguments, any number, in order:
 *   --read NAME PATH          open PATH and read from it (detail: first bytes, or the error)
 *   --exists NAME PATH        ask for PATH's attributes without opening it
 *   --find NAME PATH          look for PATH's name in its folder's listing (works for FIFOs, which
 *                             Wine cannot stat)
 *   --write NAME PATH TEXT    create or truncate PATH and write TEXT
 * PATH is a Unix path. Ends with "PROBE done". Used by the Steam chain test.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -o fileprobe.exe fileprobe.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void to_windows(const char *in, char *out, size_t n)
{
    size_t j = 0;
    if (in[0] == '/' && n > 2) { out[j++] = 'Z'; out[j++] = ':'; }
    for (size_t i = 0; in[i] && j + 1 < n; i++) out[j++] = in[i] == '/' ? '\\' : in[i];
    out[j] = 0;
}

static void report(const char *name, BOOL ok, const char *detail)
{
    printf("PROBE %s %s %s\n", name, ok ? "OK" : "BLOCKED", detail);
    fflush(stdout);
}

static void report_error(const char *name)
{
    char d[32];
    snprintf(d, sizeof d, "err=%lu", (unsigned long)GetLastError());
    report(name, FALSE, d);
}

static void do_read(const char *name, const char *path)
{
    char w[MAX_PATH], buf[64], d[48];
    DWORD got = 0, i;
    to_windows(path, w, sizeof w);
    HANDLE h = CreateFileA(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) { report_error(name); return; }
    BOOL ok = ReadFile(h, buf, sizeof buf, &got, NULL);
    if (!ok) { report_error(name); CloseHandle(h); return; }
    CloseHandle(h);
    for (i = 0; i < got && i < 40; i++) d[i] = (buf[i] >= 33 && buf[i] < 127) ? buf[i] : '.';
    d[i] = 0;
    report(name, TRUE, i ? d : "(empty)");
}

static void do_exists(const char *name, const char *path)
{
    char w[MAX_PATH];
    to_windows(path, w, sizeof w);
    if (GetFileAttributesA(w) == INVALID_FILE_ATTRIBUTES) report_error(name); else report(name, TRUE, "exists");
}

static void do_find(const char *name, const char *path)
{
    char w[MAX_PATH];
    WIN32_FIND_DATAA data;
    to_windows(path, w, sizeof w);
    HANDLE h = FindFirstFileA(w, &data);
    if (h == INVALID_HANDLE_VALUE) { report_error(name); return; }
    FindClose(h);
    report(name, TRUE, "listed");
}

static void do_write(const char *name, const char *path, const char *text)
{
    char w[MAX_PATH];
    DWORD put = 0;
    to_windows(path, w, sizeof w);
    HANDLE h = CreateFileA(w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) { report_error(name); return; }
    BOOL ok = WriteFile(h, text, (DWORD)strlen(text), &put, NULL);
    CloseHandle(h);
    if (!ok) report_error(name); else report(name, TRUE, "written");
}

int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--read") && i + 2 < argc) { do_read(argv[i + 1], argv[i + 2]); i += 2; }
        else if (!strcmp(argv[i], "--exists") && i + 2 < argc) { do_exists(argv[i + 1], argv[i + 2]); i += 2; }
        else if (!strcmp(argv[i], "--find") && i + 2 < argc) { do_find(argv[i + 1], argv[i + 2]); i += 2; }
        else if (!strcmp(argv[i], "--write") && i + 3 < argc) { do_write(argv[i + 1], argv[i + 2], argv[i + 3]); i += 3; }
        else if (!strcmp(argv[i], "--exit") && i + 1 < argc) { status = atoi(argv[i + 1]); i += 1; }
        else { printf("PROBE usage BLOCKED unknown argument %s\n", argv[i]); return 2; }
    }
    printf("PROBE done\n");
    return status;
}
