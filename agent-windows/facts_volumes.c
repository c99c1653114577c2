/* facts_volumes.c: "windows"."volumes": one entry per drive letter with
 * its type, filesystem, label, serial, size, free space and NTFS quota
 * state. A volume whose filesystem Windows does not recognise is "raw". */
/* Windows headers first: they use functions banned.h poisons. */
#include <windows.h>
#include "facts.h"
#include "wstr.h"

/* FILE_FS_CONTROL_INFORMATION and the call that reads it (ntifs.h), by
 * hand: mingw's user-mode headers do not all carry them. */
struct fs_control_info {
    LARGE_INTEGER free_space_start_filtering, free_space_threshold, free_space_stop_filtering;
    LARGE_INTEGER default_quota_threshold, default_quota_limit;
    ULONG flags;
};
struct io_status {
    union {
        LONG status;
        PVOID pointer;
    } u;
    ULONG_PTR information;
};
typedef LONG(NTAPI *nt_query_volume_fn)(HANDLE, struct io_status *, PVOID, ULONG, int);
#define FILE_FS_CONTROL_INFORMATION_CLASS 6
#define VC_QUOTA_TRACK 0x1u
#define VC_QUOTA_ENFORCE 0x2u
#define VC_QUOTAS_INCOMPLETE 0x100u
#define VC_QUOTAS_REBUILDING 0x200u

static const char *drive_type_name(UINT t)
{
    switch (t) {
    case DRIVE_FIXED: return "fixed";
    case DRIVE_REMOVABLE: return "removable";
    case DRIVE_REMOTE: return "remote";
    case DRIVE_CDROM: return "cdrom";
    case DRIVE_RAMDISK: return "ramdisk";
    case DRIVE_NO_ROOT_DIR: return "no_root_dir";
    default: return "unknown";
    }
}

/* "quota": {"supported", "state", "default_threshold", "default_limit"} */
static void quota_state(struct p2v_json *j, const wchar_t *root, const char *letter, bool supported)
{
    p2v_json_key(j, "quota");
    p2v_json_obj_begin(j);
    p2v_json_kbool(j, "supported", supported);
    if (!supported) {
        p2v_json_obj_end(j);
        return;
    }
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    FARPROC f = ntdll ? GetProcAddress(ntdll, "NtQueryVolumeInformationFile") : NULL;
    HANDLE h = CreateFileW(root, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (!f || h == INVALID_HANDLE_VALUE) {
        const char *why = f ? win_strerror(GetLastError()) : "NtQueryVolumeInformationFile missing";
        p2v_json_kstr(j, "error", why);
        facts_error("quota", "%s: %s", letter, why);
        p2v_json_obj_end(j);
        return;
    }
    nt_query_volume_fn query;
    memcpy(&query, &f, sizeof(query));
    struct fs_control_info info;
    struct io_status io;
    memset(&info, 0, sizeof(info));
    LONG st = query(h, &io, &info, sizeof(info), FILE_FS_CONTROL_INFORMATION_CLASS);
    CloseHandle(h);
    if (st < 0) {
        char why[64];
        snprintf(why, sizeof(why), "NTSTATUS 0x%08lx", (unsigned long)st);
        p2v_json_kstr(j, "error", why);
        facts_error("quota", "%s: reading the quota state: %s", letter, why);
        p2v_json_obj_end(j);
        return;
    }
    p2v_json_kstr(j, "state", info.flags & VC_QUOTA_ENFORCE ? "enforced"
                              : info.flags & VC_QUOTA_TRACK ? "tracked" : "disabled");
    p2v_json_kbool(j, "incomplete", (info.flags & (VC_QUOTAS_INCOMPLETE | VC_QUOTAS_REBUILDING)) != 0);
    p2v_json_kint(j, "default_threshold", info.default_quota_threshold.QuadPart);
    p2v_json_kint(j, "default_limit", info.default_quota_limit.QuadPart);
    p2v_json_obj_end(j);
}

static void one_volume(struct p2v_json *j, const wchar_t *root)
{
    p2v_autofree char *rootu = win_utf8(root);
    char letter[8];
    snprintf(letter, sizeof(letter), "%.2s", rootu);
    UINT type = GetDriveTypeW(root);
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "drive", letter);
    p2v_json_kstr(j, "root", rootu);
    p2v_json_kstr(j, "type", drive_type_name(type));
    if (type == DRIVE_NO_ROOT_DIR) {
        p2v_json_obj_end(j);
        return;
    }
    wchar_t guid[MAX_PATH];
    if (GetVolumeNameForVolumeMountPointW(root, guid, P2V_ARRAY_LEN(guid))) {
        p2v_autofree char *g = win_utf8(guid);
        p2v_json_kstr(j, "volume", g);
    }
    wchar_t label[MAX_PATH + 1], fs[MAX_PATH + 1];
    DWORD serial = 0, maxcomp = 0, flags = 0;
    bool info = GetVolumeInformationW(root, label, P2V_ARRAY_LEN(label), &serial, &maxcomp, &flags,
                                      fs, P2V_ARRAY_LEN(fs));
    if (info) {
        p2v_autofree char *l = win_utf8(label);
        p2v_autofree char *f = win_utf8(fs);
        char ser[16];
        snprintf(ser, sizeof(ser), "%04lX-%04lX", (unsigned long)(serial >> 16),
                 (unsigned long)(serial & 0xffff));
        p2v_json_kstr(j, "filesystem", f);
        p2v_json_kstr(j, "label", l);
        p2v_json_kstr(j, "serial", ser);
        p2v_json_kuint(j, "max_component", maxcomp);
        p2v_json_kuint(j, "fs_flags", flags);
        p2v_json_kbool(j, "acls", (flags & FILE_PERSISTENT_ACLS) != 0);
        p2v_json_kbool(j, "streams", (flags & FILE_NAMED_STREAMS) != 0);
        p2v_json_kbool(j, "reparse_points", (flags & FILE_SUPPORTS_REPARSE_POINTS) != 0);
        p2v_json_kbool(j, "read_only", (flags & FILE_READ_ONLY_VOLUME) != 0);
    } else {
        DWORD e = GetLastError();
        /* a volume without a filesystem Windows knows: a raw device */
        p2v_json_kbool(j, "raw", e == ERROR_UNRECOGNIZED_VOLUME);
        p2v_json_kstr(j, "error", win_strerror(e));
        if (type != DRIVE_CDROM && type != DRIVE_REMOVABLE && e != ERROR_NOT_READY)
            facts_error("volume", "%s: GetVolumeInformation: %s", letter, win_strerror(e));
    }
    ULARGE_INTEGER avail, total, freeb;
    if (GetDiskFreeSpaceExW(root, &avail, &total, &freeb)) {
        p2v_json_kuint(j, "size", total.QuadPart);
        p2v_json_kuint(j, "free", freeb.QuadPart);
        p2v_json_kuint(j, "available", avail.QuadPart);
    }
    if (info && type == DRIVE_FIXED)
        quota_state(j, root, letter, (flags & FILE_VOLUME_QUOTAS) != 0);
    p2v_json_obj_end(j);
}

void facts_volumes(struct p2v_json *j)
{
    wchar_t drives[27 * 4 + 1];
    DWORD n = GetLogicalDriveStringsW(P2V_ARRAY_LEN(drives) - 1, drives);
    if (n == 0 || n >= P2V_ARRAY_LEN(drives)) {
        facts_error("volumes", "GetLogicalDriveStrings: %s", win_strerror(GetLastError()));
        return;
    }
    /* No pop-up for an empty floppy or CD drive. */
    UINT old = SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    p2v_json_key(j, "volumes");
    p2v_json_arr_begin(j);
    for (const wchar_t *d = drives; *d; d += wcslen(d) + 1)
        one_volume(j, d);
    p2v_json_arr_end(j);
    SetErrorMode(old);
}
