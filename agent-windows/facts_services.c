/* facts_services.c: "windows"."services": every Win32 service with its
 * state, process and start type (EnumServicesStatusEx, QueryServiceConfig).
 * Bounded: at most 4096 services (then "services_truncated"). */
/* Windows headers first: they use functions banned.h poisons. */
#include <windows.h>
#include "facts.h"
#include "wstr.h"

#define SERVICES_MAX 4096

static const char *state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_START_PENDING: return "start_pending";
    case SERVICE_STOP_PENDING: return "stop_pending";
    case SERVICE_RUNNING: return "running";
    case SERVICE_CONTINUE_PENDING: return "continue_pending";
    case SERVICE_PAUSE_PENDING: return "pause_pending";
    case SERVICE_PAUSED: return "paused";
    default: return "unknown";
    }
}

static const char *start_name(DWORD s)
{
    switch (s) {
    case SERVICE_BOOT_START: return "boot";
    case SERVICE_SYSTEM_START: return "system";
    case SERVICE_AUTO_START: return "auto";
    case SERVICE_DEMAND_START: return "manual";
    case SERVICE_DISABLED: return "disabled";
    default: return "unknown";
    }
}

static void start_type(struct p2v_json *j, SC_HANDLE scm, const wchar_t *name)
{
    SC_HANDLE s = OpenServiceW(scm, name, SERVICE_QUERY_CONFIG);
    if (!s)
        return;
    DWORD need = 0;
    QueryServiceConfigW(s, NULL, 0, &need);
    if (need && need <= 65536) {
        p2v_autofree QUERY_SERVICE_CONFIGW *cfg = p2v_xmalloc(need);
        if (QueryServiceConfigW(s, cfg, need, &need)) {
            p2v_json_kstr(j, "start", start_name(cfg->dwStartType));
            if (cfg->lpServiceStartName) {
                p2v_autofree char *acct = win_utf8(cfg->lpServiceStartName);
                p2v_json_kstr(j, "account", acct);
            }
        }
    }
    CloseServiceHandle(s);
}

void facts_services(struct p2v_json *j)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_CONNECT);
    if (!scm) {
        facts_error("services", "OpenSCManager: %s", win_strerror(GetLastError()));
        return;
    }
    DWORD need = 0, count = 0, resume = 0;
    size_t total = 0;
    bool truncated = false;
    BYTE *buf = NULL;
    DWORD size = 64 * 1024;
    p2v_json_key(j, "services");
    p2v_json_arr_begin(j);
    for (;;) {
        free(buf);
        buf = p2v_xmalloc(size);
        BOOL ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL,
                                        buf, size, &need, &count, &resume, NULL);
        DWORD err = ok ? 0 : GetLastError();
        if (!ok && err != ERROR_MORE_DATA) {
            facts_error("services", "EnumServicesStatusEx: %s", win_strerror(err));
            break;
        }
        const ENUM_SERVICE_STATUS_PROCESSW *e = (const ENUM_SERVICE_STATUS_PROCESSW *)buf;
        for (DWORD i = 0; i < count; i++, total++) {
            if (total >= SERVICES_MAX) {
                truncated = true;
                break;
            }
            p2v_autofree char *name = win_utf8(e[i].lpServiceName);
            p2v_autofree char *disp = win_utf8(e[i].lpDisplayName);
            p2v_json_obj_begin(j);
            p2v_json_kstr(j, "name", name);
            p2v_json_kstr(j, "display_name", disp);
            p2v_json_kstr(j, "state", state_name(e[i].ServiceStatusProcess.dwCurrentState));
            if (e[i].ServiceStatusProcess.dwProcessId)
                p2v_json_kuint(j, "pid", e[i].ServiceStatusProcess.dwProcessId);
            start_type(j, scm, e[i].lpServiceName);
            p2v_json_obj_end(j);
        }
        if (ok || truncated || count == 0)
            break;
        if (need > size && need <= (4u << 20))
            size = need;
    }
    p2v_json_arr_end(j);
    if (truncated)
        p2v_json_kbool(j, "services_truncated", true);
    free(buf);
    CloseServiceHandle(scm);
}
