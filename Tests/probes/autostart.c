/*
 * autostart.c - a Windows console program that plants autostart entries the way a dropper does:
 * a value under HKCU\Software\Microsoft\Windows\CurrentVersion\Run (RegSetValueExW) and a batch
 * file in the user's Startup folder (SHGetFolderPathW(CSIDL_STARTUP)). Prints one line per step:
 *
 *     PROBE <name> <OK|BLOCKED> <detail>
 *
 * Usage: autostart.exe VALUE-NAME COMMAND FILE-NAME. Ends with "PROBE done".
 *
 * Build: x86_64-w64-mingw32-gcc -municode -O1 -o autostart.exe autostart.c -lshell32 -ladvapi32
 */
#include <windows.h>
#include <shlobj.h>
#include <stdio.h>
#include <wchar.h>

static void report(const char *name, BOOL ok, const char *detail)
{
    printf("PROBE %s %s %s\n", name, ok ? "OK" : "BLOCKED", detail);
    fflush(stdout);
}

int wmain(int argc, wchar_t **argv)
{
    char detail[512];
    if (argc != 4) { fprintf(stderr, "usage: autostart.exe VALUE-NAME COMMAND FILE-NAME\n"); return 2; }

    HKEY key;
    LONG rc = RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\Microsoft\\Windows\\CurrentVersion\\Run", 0, NULL, 0,
                              KEY_SET_VALUE, NULL, &key, NULL);
    if (rc == ERROR_SUCCESS) {
        rc = RegSetValueExW(key, argv[1], 0, REG_SZ, (const BYTE *)argv[2], (DWORD)((wcslen(argv[2]) + 1) * sizeof(wchar_t)));
        RegCloseKey(key);
    }
    snprintf(detail, sizeof detail, "error %ld", rc);
    report("run_key", rc == ERROR_SUCCESS, rc == ERROR_SUCCESS ? "set" : detail);

    wchar_t path[MAX_PATH];
    HRESULT hr = SHGetFolderPathW(NULL, CSIDL_STARTUP | CSIDL_FLAG_CREATE, NULL, 0, path);
    BOOL written = FALSE;
    if (SUCCEEDED(hr) && wcslen(path) + wcslen(argv[3]) + 2 < MAX_PATH) {
        wcscat(path, L"\\");
        wcscat(path, argv[3]);
        HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (f != INVALID_HANDLE_VALUE) {
            DWORD n;
            written = WriteFile(f, "@echo dropped\r\n", 15, &n, NULL) && n == 15;
            CloseHandle(f);
        }
    }
    snprintf(detail, sizeof detail, "%ls", SUCCEEDED(hr) ? path : L"no Startup folder");
    report("startup_file", written, detail);
    printf("PROBE done\n");
    return 0;
}
