package io.skoop.dsl;

import io.skoop.lab.run.LabException;
import io.skoop.netstack.parse.ParseException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/**
 * Which failures are the user's mistakes — reported as one line, without a stack trace — and which are bugs. One
 * classification for the command line, the shell, runbooks and notebooks.
 */
public final class Mistakes {
    private Mistakes() {
    }

    /**
     * Bad arguments and malformed input: a bad argument or name ({@link IllegalArgumentException}, which the commands'
     * own user errors extend), a dump that does not parse ({@link ParseException}, naming file and line), a missing
     * file, a lab that cannot be built here (root missing, a name taken), a command-line option picocli rejects, a dump
     * file a command needs that cannot be trusted ({@link io.skoop.netstack.UnavailablePartException}).
     */
    public static boolean isUserError(Throwable t) {
        return t instanceof ParseException || t instanceof IllegalArgumentException || t instanceof NoSuchFileException
                || t instanceof LabException || t instanceof picocli.CommandLine.ParameterException
                || t instanceof io.skoop.netstack.UnavailablePartException || t instanceof io.skoop.k8s.live.LiveClusterException;
    }

    /**
     * In an interactive session (shell, notebook) also a state not reached yet — no snapshot chosen, nothing diagnosed
     * ({@link IllegalStateException}) — and a file that cannot be written ({@link UncheckedIOException}).
     */
    public static boolean isSessionMistake(Throwable t) {
        return isUserError(t) || t instanceof IllegalStateException || t instanceof UncheckedIOException;
    }
}
