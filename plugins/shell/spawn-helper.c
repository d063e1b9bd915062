/*
 * weft's native spawn helper: starts shell tasks' processes with posix_spawn (a vfork-style
 * clone that copies no page tables) and relays their output. Node's spawn forks, and on a VM a
 * fork costs ~3x a posix_spawn even from a small process (1,000 `true` at 8 at once: Node 5.3 s,
 * fork from C 3.2 s, posix_spawn from C 2.1 s, make -j8 2.3 s, on the project's 2-core machine).
 *
 * weft decides everything else (process groups to kill, when an exited shell's pipes are given
 * up); this process only starts, reaps and relays. It speaks frames on stdin/stdout, each a
 * u32 length (of what follows), a u32 call id and a one-byte type; numbers are little-endian:
 *
 *   weft -> helper   'S' start: u32 argc, u32 envc, then NUL-ended strings: file, cwd,
 *                        argv[0..argc), env[0..envc) ("NAME=value")
 *                    'D' drop: stop reading the call's pipes (its shell exited, a child holds them)
 *   helper -> weft   'R' ready (id 0), 'P' pid (i32), 'O'/'E' stdout/stderr bytes,
 *                    'X' exited (i32 exit code or -1, i32 signal or 0), 'F' failed to start (i32
 *                    errno), 'C' done: output closed or dropped, and the process reaped.
 *
 * It ends when stdin closes (weft is gone); what it started is weft's watchdog's to stop.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  uint32_t id;
  pid_t pid;
  int fd[2]; /* stdout, stderr read ends; -1 once closed */
  int reaped;
} Call;

static Call *calls;
static size_t ncalls, capcalls;
static int wake[2]; /* SIGCHLD writes here, so poll() wakes for it */
static char chunk[65536];

static void die(void) { _exit(1); }

static uint32_t get_u32(const char *p) {
  const unsigned char *b = (const unsigned char *)p;
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_u32(char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (char)(v >> (8 * i));
}

/** A pipe whose ends a started command does not inherit (it gets only what is dup2'd onto 1 and 2). */
static int cloexec_pipe(int fd[2]) {
  if (pipe(fd)) return -1;
  fcntl(fd[0], F_SETFD, FD_CLOEXEC);
  fcntl(fd[1], F_SETFD, FD_CLOEXEC);
  return 0;
}

static void write_all(const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(1, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(); /* weft is gone */
    p += n;
    len -= (size_t)n;
  }
}

static void send_frame(uint32_t id, char type, const void *body, uint32_t len) {
  char head[9];
  put_u32(head, 5 + len);
  put_u32(head + 4, id);
  head[8] = type;
  write_all(head, 9);
  if (len) write_all(body, len);
}

static void send_ints(uint32_t id, char type, int32_t a, int32_t b, int count) {
  char v[8];
  put_u32(v, (uint32_t)a);
  put_u32(v + 4, (uint32_t)b);
  send_frame(id, type, v, (uint32_t)(4 * count));
}

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  if (write(wake[1], "c", 1) < 0) { /* the pipe is full: a wake-up is already pending */ }
  errno = saved;
}

/** A call is over when its process is reaped and its pipes are closed: say so and forget it. */
static void finish_if_done(size_t i) {
  Call *c = &calls[i];
  if (!c->reaped || c->fd[0] >= 0 || c->fd[1] >= 0) return;
  send_frame(c->id, 'C', NULL, 0);
  calls[i] = calls[--ncalls];
}

static void close_stream(Call *c, int s) {
  if (c->fd[s] >= 0) close(c->fd[s]);
  c->fd[s] = -1;
}

/**
 * Where `file` is, searched as execvp would in the PATH of the command's own environment. The
 * command starts in `cwd`, so a relative PATH entry (or an empty one: the current folder) is
 * taken from there, as it is when the search happens after the chdir.
 */
static int resolve(const char *file, const char *cwd, char **env, char *out, size_t cap) {
  if (strchr(file, '/')) {
    if (strlen(file) >= cap) return ENAMETOOLONG;
    strcpy(out, file);
    return 0;
  }
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (char **e = env; *e; e++) if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  int found = ENOENT;
  for (const char *dir = path;; dir++) {
    const char *end = strchr(dir, ':');
    int len = (int)(end ? (size_t)(end - dir) : strlen(dir));
    int n = dir[0] == '/' ? snprintf(out, cap, "%.*s/%s", len, dir, file)
                          : snprintf(out, cap, "%s/%.*s%s%s", cwd, len, dir, len ? "/" : "", file);
    if (n > 0 && (size_t)n < cap) {
      if (access(out, X_OK) == 0) return 0;
      if (errno == EACCES) found = EACCES;
    }
    if (!end) return found;
    dir = end;
  }
}

static int spawn_call(pid_t *pid, const char *file, const char *cwd, char **argv, char **env, int out, int err) {
  char where[4096];
  int rc = resolve(file, cwd, env, where, sizeof where);
  if (rc) return rc;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  /* Its own process group, so one kill reaches everything the command starts. */
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawn_file_actions_addchdir_np(&fa, cwd);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, err, 2);
  rc = posix_spawn(pid, where, &fa, &attr, argv, env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

/** Split `n` NUL-ended strings from `p` (within `end`) into `list`, NULL-terminated. */
static char *take_strings(char *p, char *end, char **list, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    char *nul = memchr(p, 0, (size_t)(end - p));
    if (!nul) die();
    list[i] = p;
    p = nul + 1;
  }
  list[n] = NULL;
  return p;
}

static void start(uint32_t id, char *p, char *end) {
  if (end - p < 8) die();
  uint32_t argc = get_u32(p), envc = get_u32(p + 4);
  p += 8;
  char *strings[3];
  char **argv = malloc(sizeof(char *) * (argc + 1));
  char **env = malloc(sizeof(char *) * (envc + 1));
  if (!argv || !env) die();
  p = take_strings(p, end, strings, 2);
  p = take_strings(p, end, argv, argc);
  take_strings(p, end, env, envc);
  int out[2], err[2];
  /* Out of descriptors (EMFILE): this call fails, as a spawn from weft would; the others go on. */
  if (cloexec_pipe(out)) {
    free(argv);
    free(env);
    send_ints(id, 'F', errno, 0, 1);
    return;
  }
  if (cloexec_pipe(err)) {
    int saved = errno;
    close(out[0]);
    close(out[1]);
    free(argv);
    free(env);
    send_ints(id, 'F', saved, 0, 1);
    return;
  }
  pid_t pid;
  int rc = spawn_call(&pid, strings[0], strings[1], argv, env, out[1], err[1]);
  free(argv);
  free(env);
  close(out[1]);
  close(err[1]);
  if (rc) {
    close(out[0]);
    close(err[0]);
    send_ints(id, 'F', rc, 0, 1);
    return;
  }
  if (ncalls == capcalls) {
    capcalls = capcalls ? capcalls * 2 : 16;
    calls = realloc(calls, capcalls * sizeof(Call));
    if (!calls) die();
  }
  calls[ncalls++] = (Call){.id = id, .pid = pid, .fd = {out[0], err[0]}, .reaped = 0};
  send_ints(id, 'P', pid, 0, 1);
}

static void drop(uint32_t id) {
  for (size_t i = 0; i < ncalls; i++) {
    if (calls[i].id != id) continue;
    close_stream(&calls[i], 0);
    close_stream(&calls[i], 1);
    finish_if_done(i);
    return;
  }
}

/* Requests arrive in pieces: `inbuf` holds what is read and not yet handled. */
static char *inbuf;
static size_t inlen, incap;

static void read_requests(void) {
  if (incap - inlen < sizeof chunk) {
    incap = incap * 2 + sizeof chunk;
    inbuf = realloc(inbuf, incap);
    if (!inbuf) die();
  }
  ssize_t n = read(0, inbuf + inlen, incap - inlen);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) exit(0); /* weft closed our stdin: it is gone */
  inlen += (size_t)n;
  size_t at = 0;
  while (inlen - at >= 9) {
    uint32_t total = get_u32(inbuf + at);
    if (total < 5) die();
    if (inlen - at < 4 + (size_t)total) break;
    uint32_t id = get_u32(inbuf + at + 4);
    char type = inbuf[at + 8];
    char *body = inbuf + at + 9, *end = inbuf + at + 4 + total;
    if (type == 'S') start(id, body, end);
    else if (type == 'D') drop(id);
    at += 4 + (size_t)total;
  }
  memmove(inbuf, inbuf + at, inlen - at);
  inlen -= at;
}

static void reap(void) {
  char sink[64];
  while (read(wake[0], sink, sizeof sink) > 0) {}
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < ncalls; i++) {
      if (calls[i].pid != pid) continue;
      calls[i].reaped = 1;
      if (WIFEXITED(status)) send_ints(calls[i].id, 'X', WEXITSTATUS(status), 0, 2);
      else send_ints(calls[i].id, 'X', -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0, 2);
      finish_if_done(i);
      break;
    }
  }
}

static void relay(size_t i, int s) {
  Call *c = &calls[i];
  ssize_t n = read(c->fd[s], chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close_stream(c, s);
    finish_if_done(i);
    return;
  }
  send_frame(c->id, s == 0 ? 'O' : 'E', chunk, (uint32_t)n);
}

int main(void) {
  /* Ctrl-C reaches the whole foreground group: weft decides what stops, not this process. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  if (cloexec_pipe(wake)) die();
  fcntl(wake[0], F_SETFL, O_NONBLOCK);
  fcntl(wake[1], F_SETFL, O_NONBLOCK);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  send_frame(0, 'R', NULL, 0);
  struct pollfd *fds = NULL;
  size_t capfds = 0;
  for (;;) {
    size_t want = 2 + 2 * ncalls;
    if (want > capfds) {
      capfds = want * 2;
      fds = realloc(fds, capfds * sizeof *fds);
      if (!fds) die();
    }
    fds[0] = (struct pollfd){.fd = 0, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = wake[0], .events = POLLIN};
    for (size_t i = 0; i < ncalls; i++)
      for (int s = 0; s < 2; s++) fds[2 + 2 * i + s] = (struct pollfd){.fd = calls[i].fd[s], .events = POLLIN};
    size_t nfds = 2 + 2 * ncalls, watched = ncalls;
    if (poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      die();
    }
    if (fds[1].revents) reap();
    /* Back to front: finishing a call moves the last one into its place. */
    for (size_t i = watched; i-- > 0;)
      for (int s = 0; s < 2; s++)
        if (i < ncalls && fds[2 + 2 * i + s].revents && calls[i].fd[s] == fds[2 + 2 * i + s].fd) relay(i, s);
    if (fds[0].revents) read_requests();
  }
}
