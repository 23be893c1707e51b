/* environment.c - what the machine looked like during a measurement (CPU
 * model, frequency governor, load, kernel) and pinning to one CPU. */
#define _GNU_SOURCE
#include "internal.h"
#include "modelgate/latency.h"

#include <errno.h>
#include <sched.h>
#include <sys/utsname.h>

mg_status mg_latency_pin_cpu(int cpu, mg_error *err) {
    if (cpu < 0 || cpu >= CPU_SETSIZE)
        return mg__fail(err, MG_ERR_USAGE, "--cpu %d: no such CPU", cpu);
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && !CPU_ISSET(cpu, &allowed))
        return mg__fail(err, MG_ERR_USAGE,
                        "--cpu %d: this process may not run there (it may use %d CPUs)", cpu,
                        CPU_COUNT(&allowed));
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        return mg__fail(err, MG_ERR_USAGE, "--cpu %d: cannot pin to it: %s", cpu, strerror(errno));
    return MG_OK;
}

/* The first line of a small file, without its newline; false when unreadable. */
static bool read_line(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

static void trim_copy(char *dst, size_t cap, const char *src) {
    while (*src == ' ' || *src == '\t')
        src++;
    size_t len = strlen(src);
    while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\n'))
        len--;
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void read_cpu_model(char *out, size_t cap) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        /* x86 names it "model name"; some other architectures only "Model" or "cpu model" */
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0 ||
            strncmp(line, "cpu model", 9) == 0) {
            const char *colon = strchr(line, ':');
            if (colon != NULL) {
                trim_copy(out, cap, colon + 1);
                break;
            }
        }
    }
    fclose(f);
}

static void read_loadavg(double load[3]) {
    char line[256];
    load[0] = load[1] = load[2] = -1;
    if (!read_line("/proc/loadavg", line, sizeof line))
        return;
    const char *p = line;
    for (int i = 0; i < 3; i++) {
        const char *end = strchr(p, ' ');
        if (end == NULL)
            return;
        double v;
        if (mg_parse_double(p, (size_t)(end - p), &v) == 0)
            load[i] = v;
        p = end + 1;
    }
}

void mg_latency_environment_read(int cpu, mg_latency_environment *env) {
    memset(env, 0, sizeof *env);
    read_cpu_model(env->cpu_model, sizeof env->cpu_model);
    char path[128], line[64];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
             cpu >= 0 ? cpu : 0);
    if (read_line(path, line, sizeof line))
        trim_copy(env->governor, sizeof env->governor, line);
    read_loadavg(env->loadavg);
    env->ncpus = mg__cpu_count();
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(env->kernel, sizeof env->kernel, "%s %s %s", u.sysname, u.release, u.machine);
}
