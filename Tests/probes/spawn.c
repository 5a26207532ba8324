/* Windows probe: starts a command line with CreateProcess and reports what happened.
   Build: x86_64-w64-mingw32-gcc -O1 -o spawn.exe spawn.c */
#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv) {
    if (argc < 2) { printf("usage: spawn.exe \"command line\"\n"); return 2; }
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    ZeroMemory(&pi, sizeof pi);
    if (!CreateProcessA(NULL, argv[1], NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        printf("SPAWN refused error=%lu\n", GetLastError());
        fflush(stdout);
        return 1;
    }
    WaitForSingleObject(pi.hProcess, 60000);
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    printf("SPAWN ok exit=%lu\n", code);
    fflush(stdout);
    return 0;
}
