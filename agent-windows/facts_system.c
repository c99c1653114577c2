/* facts_system.c: uname and hostname (top level, as the Linux agent), and
 * in "windows": the real version (RtlGetVersion: GetVersionEx lies to
 * programs without a manifest), edition, computer names, domain and DNS. */
/* Windows headers first: they use functions banned.h poisons. */
#include <winsock2.h>
#include <windows.h>
#include <iphlpapi.h>
#include <lm.h>
#include "facts.h"
#include "wstr.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOEXW *);
typedef BOOL(WINAPI *get_product_info_fn)(DWORD, DWORD, DWORD, DWORD, DWORD *);

static bool real_version(OSVERSIONINFOEXW *v)
{
    memset(v, 0, sizeof(*v));
    v->dwOSVersionInfoSize = sizeof(*v);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    FARPROC f = ntdll ? GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    if (f) {
        rtl_get_version_fn get;
        memcpy(&get, &f, sizeof(get));   /* FARPROC to the real type, without a cast warning */
        if (get(v) == 0)
            return true;
    }
    facts_error("version", "RtlGetVersion is not available");
    return false;
}

static const char *machine_name(void)
{
    SYSTEM_INFO si;
    GetNativeSystemInfo(&si);
    switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64: return "x86_64";
    case PROCESSOR_ARCHITECTURE_INTEL: return "i686";
    case PROCESSOR_ARCHITECTURE_IA64: return "ia64";
    case 12: return "aarch64";   /* PROCESSOR_ARCHITECTURE_ARM64 */
    default: return "unknown";
    }
}

/* GetComputerNameExW as UTF-8, or NULL (recorded as an error). */
static char *computer_name(COMPUTER_NAME_FORMAT fmt, const char *what)
{
    wchar_t name[256];
    DWORD n = P2V_ARRAY_LEN(name);
    if (!GetComputerNameExW(fmt, name, &n)) {
        facts_error(what, "GetComputerNameEx: %s", win_strerror(GetLastError()));
        return NULL;
    }
    return win_utf8n(name, n);
}

void facts_system(struct p2v_json *j)
{
    OSVERSIONINFOEXW v;
    bool have = real_version(&v);
    char release[64] = "";
    if (have)
        snprintf(release, sizeof(release), "%lu.%lu.%lu", (unsigned long)v.dwMajorVersion,
                 (unsigned long)v.dwMinorVersion, (unsigned long)v.dwBuildNumber);
    p2v_autofree char *host = computer_name(ComputerNameDnsHostname, "hostname");
    p2v_autofree char *csd = have ? win_utf8(v.szCSDVersion) : NULL;
    p2v_json_key(j, "uname");
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "sysname", "Windows");
    if (host)
        p2v_json_kstr(j, "nodename", host);
    if (have) {
        p2v_json_kstr(j, "release", release);
        p2v_json_kstr(j, "version", csd);
    }
    p2v_json_kstr(j, "machine", machine_name());
    p2v_json_obj_end(j);
    if (host)
        p2v_json_kstr(j, "hostname", host);
}

/* HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\NAME (REG_SZ) */
static char *reg_current_version(const wchar_t *name)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", 0,
                      KEY_QUERY_VALUE, &k) != ERROR_SUCCESS)
        return NULL;
    wchar_t val[512];
    DWORD type = 0, size = sizeof(val) - sizeof(wchar_t);
    LONG rc = RegQueryValueExW(k, name, NULL, &type, (BYTE *)val, &size);
    RegCloseKey(k);
    if (rc != ERROR_SUCCESS || (type != REG_SZ && type != REG_EXPAND_SZ))
        return NULL;
    val[size / sizeof(wchar_t)] = L'\0';
    return win_utf8(val);
}

static void kreg(struct p2v_json *j, const char *key, const wchar_t *name)
{
    p2v_autofree char *s = reg_current_version(name);
    if (s)
        p2v_json_kstr(j, key, s);
}

void facts_windows_version(struct p2v_json *j)
{
    OSVERSIONINFOEXW v;
    if (!real_version(&v))
        return;
    p2v_json_key(j, "version");
    p2v_json_obj_begin(j);
    p2v_json_kuint(j, "major", v.dwMajorVersion);
    p2v_json_kuint(j, "minor", v.dwMinorVersion);
    p2v_json_kuint(j, "build", v.dwBuildNumber);
    p2v_json_kuint(j, "sp_major", v.wServicePackMajor);
    p2v_json_kuint(j, "sp_minor", v.wServicePackMinor);
    p2v_autofree char *csd = win_utf8(v.szCSDVersion);
    p2v_json_kstr(j, "service_pack", csd);
    p2v_json_kstr(j, "product_type", v.wProductType == VER_NT_WORKSTATION ? "workstation"
                                     : v.wProductType == VER_NT_DOMAIN_CONTROLLER ? "domain_controller"
                                     : v.wProductType == VER_NT_SERVER ? "server"
                                     : "unknown");
    p2v_json_kuint(j, "suite_mask", v.wSuiteMask);
    p2v_json_kbool(j, "server_r2", GetSystemMetrics(SM_SERVERR2) != 0);
    /* GetProductInfo exists from 6.0 on: the edition number (PRODUCT_*). */
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
    FARPROC f = k32 ? GetProcAddress(k32, "GetProductInfo") : NULL;
    DWORD product = 0;
    if (f) {
        get_product_info_fn gpi;
        memcpy(&gpi, &f, sizeof(gpi));
        if (gpi(v.dwMajorVersion, v.dwMinorVersion, v.wServicePackMajor, v.wServicePackMinor,
                &product))
            p2v_json_kuint(j, "product_info", product);
    }
    kreg(j, "product_name", L"ProductName");
    kreg(j, "edition_id", L"EditionID");
    kreg(j, "installation_type", L"InstallationType");
    kreg(j, "current_build", L"CurrentBuildNumber");
    p2v_json_obj_end(j);
}

static void domain_membership(struct p2v_json *j)
{
    LPWSTR name = NULL;
    NETSETUP_JOIN_STATUS st = NetSetupUnknownStatus;
    NET_API_STATUS rc = NetGetJoinInformation(NULL, &name, &st);
    if (rc != NERR_Success) {
        facts_error("domain", "NetGetJoinInformation: %s", win_strerror(rc));
        return;
    }
    p2v_autofree char *u = win_utf8(name);
    NetApiBufferFree(name);
    p2v_json_kstr(j, st == NetSetupDomainName ? "domain" : st == NetSetupWorkgroupName ? "workgroup"
                                                                                      : "join_name", u);
    p2v_json_kstr(j, "join_status", st == NetSetupDomainName ? "domain"
                                    : st == NetSetupWorkgroupName ? "workgroup"
                                    : st == NetSetupUnjoined ? "unjoined" : "unknown");
}

static void dns_servers(struct p2v_json *j)
{
    ULONG size = 0;
    if (GetNetworkParams(NULL, &size) != ERROR_BUFFER_OVERFLOW || size == 0 || size > (1u << 20)) {
        facts_error("dns_servers", "GetNetworkParams gives no size");
        return;
    }
    p2v_autofree FIXED_INFO *fi = p2v_xmalloc(size);
    DWORD rc = GetNetworkParams(fi, &size);
    if (rc != ERROR_SUCCESS) {
        facts_error("dns_servers", "GetNetworkParams: %s", win_strerror(rc));
        return;
    }
    if (fi->DomainName[0])
        p2v_json_kstr(j, "dns_suffix", fi->DomainName);
    p2v_json_key(j, "dns_servers");
    p2v_json_arr_begin(j);
    int n = 0;
    for (IP_ADDR_STRING *a = &fi->DnsServerList; a && n < 64; a = a->Next, n++)
        if (a->IpAddress.String[0])
            p2v_json_str(j, a->IpAddress.String);
    p2v_json_arr_end(j);
}

void facts_windows_names(struct p2v_json *j)
{
    static const struct {
        const char *key;
        COMPUTER_NAME_FORMAT fmt;
    } names[] = {
        {"netbios_name", ComputerNameNetBIOS},
        {"dns_hostname", ComputerNameDnsHostname},
        {"dns_domain", ComputerNameDnsDomain},
        {"fqdn", ComputerNameDnsFullyQualified},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(names); i++) {
        p2v_autofree char *s = computer_name(names[i].fmt, names[i].key);
        if (s)
            p2v_json_kstr(j, names[i].key, s);
    }
    domain_membership(j);
    dns_servers(j);
}
