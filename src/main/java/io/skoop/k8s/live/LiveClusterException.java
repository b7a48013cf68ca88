package io.skoop.k8s.live;

/**
 * A live cluster cannot be used as asked: no or a broken kubeconfig, an unknown context, an API server that refuses
 * (naming the verb, resource and the role that grants it), rejects the credentials, or does not answer. The message
 * is one line for the user; it is never a network verdict.
 */
public class LiveClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LiveClusterException(String message) {
        super(message);
    }

    public LiveClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
