/* convert_hooks.c: the administrator's VZ_CONF_DIR/p2v.convert, run on
 * the node after the copy and before the fixups, in the manner of
 * vps.reinstall (seed 002): `p2v.convert --veid CTID --ve_private PATH`;
 * exit 0 = the script converted the tree (built-in fixups skipped), 128 =
 * as if it did not exist, anything else = the conversion fails. It is the
 * node's own script (never anything from the migrated tree), run with
 * execve and a plain environment, as vzctl runs its action scripts. */
#include "convert.h"
#include "error.h"
#include "log.h"
#include <sys/wait.h>
#include <unistd.h>

#define HOOK_DEFAULT 128

int convert_hook_convert(struct convert_ctx *x)
{
    p2v_autofree char *hook = p2v_xasprintf("%s/p2v.convert", x->cfg->vz_conf_dir);
    struct stat st;
    if (stat(hook, &st) < 0)
        return 0;
    if (!S_ISREG(st.st_mode) || access(hook, X_OK) < 0) {
        p2v_error_set("the hook `%s` is not an executable file", hook);
        p2v_error_hint("chmod +x it, or rename it to run the default conversion");
        return -1;
    }
    p2v_info("running %s --veid %s --ve_private %s", hook, x->o->ctid, x->node->private_dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return p2v_error_set_errno(errno, "fork for `%s`", hook);
    if (pid == 0) {
        p2v_autofree char *veid = p2v_xasprintf("VEID=%s", x->o->ctid);
        p2v_autofree char *priv = p2v_xasprintf("VE_PRIVATE=%s", x->node->private_dir);
        p2v_autofree char *conf = p2v_xasprintf("VE_CONFFILE=%s", x->node->conf_file);
        char *const argv[] = {hook, "--veid", (char *)x->o->ctid, "--ve_private",
                              x->node->private_dir, NULL};
        char *const envp[] = {veid, priv, conf, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        /* the hook's output goes to the administrator, not into our protocol */
        if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit(127);
        execve(hook, argv, envp);
        fprintf(stderr, "p2vmigrate: exec `%s`: %s\n", hook, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return p2v_error_set_errno(errno, "wait for `%s`", hook);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        p2v_info("%s converted the container: the built-in fixups are skipped", hook);
        x->hook_converted = true;
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == HOOK_DEFAULT) {
        p2v_info("%s asked for the default conversion (exit 128)", hook);
        return 0;
    }
    if (WIFEXITED(status))
        p2v_error_set("the hook `%s` failed with exit %d", hook, WEXITSTATUS(status));
    else
        p2v_error_set("the hook `%s` was killed by signal %d", hook, WTERMSIG(status));
    p2v_error_hint("fix the hook (exit 0 = it converted, 128 = default conversion) and run "
                   "p2vmigrate again: the copy is kept and only changes are sent");
    return -1;
}
