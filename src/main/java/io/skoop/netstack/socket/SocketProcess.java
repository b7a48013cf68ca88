package io.skoop.netstack.socket;

/**
 * A process holding a socket, from ss's {@code users:(("name",pid=N,fd=M),...)} column.
 *
 * @param name the command name (comm, at most 15 characters in the kernel)
 * @param pid  the process id
 * @param fd   the file descriptor number in that process
 */
public record SocketProcess(String name, int pid, int fd) {
}
