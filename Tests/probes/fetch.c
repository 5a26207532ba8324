/* Windows probe: fetches a URL through WinHTTP (WinHttpOpen with WINHTTP_ACCESS_TYPE_DEFAULT_PROXY) or
   WinINet (InternetOpen with INTERNET_OPEN_TYPE_PRECONFIG) and prints one line, "status=<HTTP status>
   bytes=<body length> body=<first 60 bytes, non-printables as '.'>" (exit 0 on 200, 1 otherwise), or
   "error=<function> <GetLastError()>" (exit 1). Usage: fetch.exe winhttp|wininet URL. Measured under
   wine-8.0 (Debian 8.0~repack-4, wine64, fresh prefix, no registry change, as root and as an unprivileged
   user alike), fetching a name that does not resolve so only a proxy could succeed: both APIs send http://
   requests through the proxy named by http_proxy or HTTP_PROXY (any case, with or without "http://", with
   or without a trailing "/"; when both are set the lower-case one is used), and https:// requests too,
   as CONNECT, through that same http_proxy; HTTPS_PROXY/https_proxy and ALL_PROXY/all_proxy are ignored
   (with only those set both APIs go direct). WinHTTP ignores no_proxy/NO_PROXY entirely; WinINet reads it
   as a Windows bypass list (entries split on ';' or ' ', not ','; "*.x" and "<local>" work, "*" and ".x"
   do not), so the usual "localhost,127.0.0.1" matches nothing and is harmless: every host, localhost
   included, still goes to the proxy. Quirk: when the URL's host is literally the proxy's host (e.g. both
   127.0.0.1), WinHTTP connects to the proxy but sends an origin-form request ("GET /path", the target in
   the Host header). A prefix whose HKCU Internet Settings enable a proxy overrides the variable for
   WinINet only. A fetch takes about 0.1 s with the prefix's wineserver running, 0.5-0.8 s when it has to
   start, about 6 s on the first run in a new prefix (wineboot).
   Build: x86_64-w64-mingw32-gcc -O1 -o fetch.exe fetch.c -lwinhttp -lwininet */
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <winhttp.h>

/* winhttp.h and wininet.h cannot both be included (they define the same types differently),
   so the few WinINet calls used here are declared by hand, as in wininet.h. */
#define INTERNET_OPEN_TYPE_PRECONFIG 0
#define INTERNET_FLAG_RELOAD 0x80000000
#define INTERNET_FLAG_NO_CACHE_WRITE 0x04000000
#define INTERNET_FLAG_NO_COOKIES 0x00080000
#define INTERNET_FLAG_NO_UI 0x00000200
#define INTERNET_OPTION_CONNECT_TIMEOUT 2
#define INTERNET_OPTION_SEND_TIMEOUT 5
#define INTERNET_OPTION_RECEIVE_TIMEOUT 6
#define HTTP_QUERY_STATUS_CODE 19
#define HTTP_QUERY_FLAG_NUMBER 0x20000000
DECLSPEC_IMPORT HINTERNET WINAPI InternetOpenA(LPCSTR, DWORD, LPCSTR, LPCSTR, DWORD);
DECLSPEC_IMPORT HINTERNET WINAPI InternetOpenUrlA(HINTERNET, LPCSTR, LPCSTR, DWORD, DWORD, DWORD_PTR);
DECLSPEC_IMPORT BOOL WINAPI InternetSetOptionA(HINTERNET, DWORD, LPVOID, DWORD);
DECLSPEC_IMPORT BOOL WINAPI HttpQueryInfoA(HINTERNET, DWORD, LPVOID, LPDWORD, LPDWORD);
DECLSPEC_IMPORT BOOL WINAPI InternetReadFile(HINTERNET, LPVOID, DWORD, LPDWORD);
DECLSPEC_IMPORT BOOL WINAPI InternetCloseHandle(HINTERNET);

#define SHOWN 60

static char shown[SHOWN + 1];
static unsigned long long total;

static int fail(const char *function) {
    printf("error=%s %lu\n", function, GetLastError());
    fflush(stdout);
    return 1;
}

/* Counts the body and keeps its first SHOWN bytes, non-printables as '.'. */
static void take(const char *data, DWORD n) {
    for (DWORD i = 0; i < n; i++) {
        size_t at = (size_t)(total + i);
        if (at < SHOWN) shown[at] = (data[i] >= 0x20 && data[i] < 0x7f) ? data[i] : '.';
    }
    total += n;
}

static int done(DWORD status) {
    printf("status=%lu bytes=%llu body=%s\n", status, total, shown);
    fflush(stdout);
    return status == 200 ? 0 : 1;
}

static int with_winhttp(const char *url) {
    WCHAR wurl[2048], host[256], path[2048], extra[1024];
    if (!MultiByteToWideChar(CP_UTF8, 0, url, -1, wurl, 2048)) return fail("MultiByteToWideChar");
    URL_COMPONENTS parts;
    ZeroMemory(&parts, sizeof parts);
    parts.dwStructSize = sizeof parts;
    parts.lpszHostName = host;
    parts.dwHostNameLength = 256;
    parts.lpszUrlPath = path;
    parts.dwUrlPathLength = 1024;
    parts.lpszExtraInfo = extra;
    parts.dwExtraInfoLength = 1024;
    if (!WinHttpCrackUrl(wurl, 0, 0, &parts)) return fail("WinHttpCrackUrl");
    wcscat(path, extra); /* the query string ("?a=b") comes back apart from the path */
    HINTERNET session = WinHttpOpen(L"ww-fetch/1", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
                                    WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    if (!session) return fail("WinHttpOpen");
    WinHttpSetTimeouts(session, 10000, 10000, 10000, 10000);
    HINTERNET connection = WinHttpConnect(session, host, parts.nPort, 0);
    if (!connection) return fail("WinHttpConnect");
    DWORD flags = parts.nScheme == INTERNET_SCHEME_HTTPS ? WINHTTP_FLAG_SECURE : 0;
    HINTERNET request = WinHttpOpenRequest(connection, L"GET", path, NULL, WINHTTP_NO_REFERER,
                                           WINHTTP_DEFAULT_ACCEPT_TYPES, flags);
    if (!request) return fail("WinHttpOpenRequest");
    if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0))
        return fail("WinHttpSendRequest");
    if (!WinHttpReceiveResponse(request, NULL)) return fail("WinHttpReceiveResponse");
    DWORD status = 0, size = sizeof status;
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX))
        return fail("WinHttpQueryHeaders");
    char buffer[4096];
    for (;;) {
        DWORD got = 0;
        if (!WinHttpReadData(request, buffer, sizeof buffer, &got)) return fail("WinHttpReadData");
        if (got == 0) break;
        take(buffer, got);
    }
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    return done(status);
}

static int with_wininet(const char *url) {
    HINTERNET session = InternetOpenA("ww-fetch/1", INTERNET_OPEN_TYPE_PRECONFIG, NULL, NULL, 0);
    if (!session) return fail("InternetOpenA");
    DWORD timeout = 10000;
    InternetSetOptionA(session, INTERNET_OPTION_CONNECT_TIMEOUT, &timeout, sizeof timeout);
    InternetSetOptionA(session, INTERNET_OPTION_RECEIVE_TIMEOUT, &timeout, sizeof timeout);
    InternetSetOptionA(session, INTERNET_OPTION_SEND_TIMEOUT, &timeout, sizeof timeout);
    HINTERNET request = InternetOpenUrlA(session, url, NULL, 0,
                                         INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE |
                                         INTERNET_FLAG_NO_UI | INTERNET_FLAG_NO_COOKIES, 0);
    if (!request) return fail("InternetOpenUrlA");
    DWORD status = 0, size = sizeof status;
    if (!HttpQueryInfoA(request, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size, NULL))
        return fail("HttpQueryInfoA");
    char buffer[4096];
    for (;;) {
        DWORD got = 0;
        if (!InternetReadFile(request, buffer, sizeof buffer, &got)) return fail("InternetReadFile");
        if (got == 0) break;
        take(buffer, got);
    }
    InternetCloseHandle(request);
    InternetCloseHandle(session);
    return done(status);
}

int main(int argc, char **argv) {
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    if (argc != 3) { printf("usage: fetch.exe winhttp|wininet URL\n"); return 2; }
    if (!strcmp(argv[1], "winhttp")) return with_winhttp(argv[2]);
    if (!strcmp(argv[1], "wininet")) return with_wininet(argv[2]);
    printf("usage: fetch.exe winhttp|wininet URL\n");
    return 2;
}
