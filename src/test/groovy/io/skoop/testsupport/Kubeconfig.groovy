package io.skoop.testsupport

import java.nio.file.Files
import java.nio.file.Path

/** A kubeconfig for the specs' API servers: one cluster, one user with a bearer token, one context (the current one). */
class Kubeconfig {
    /**
     * Writes {@code file}; returns it.
     *
     * @param clusterExtra more lines of the cluster entry, indented by four spaces ({@code certificate-authority: …})
     */
    static Path write(Path file, String server, String context, String token = 't', String clusterExtra = '') {
        Files.createDirectories(file.toAbsolutePath().parent)
        Files.writeString(file, """apiVersion: v1
kind: Config
current-context: $context
clusters:
- name: c
  cluster:
    server: "$server"
${clusterExtra ? clusterExtra + '\n' : ''}users:
- name: u
  user:
    token: $token
contexts:
- name: $context
  context:
    cluster: c
    user: u
""")
        file
    }
}
