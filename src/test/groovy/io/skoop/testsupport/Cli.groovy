package io.skoop.testsupport

import io.skoop.cli.SkoopCommand

/** Runs {@code skoop ARGS…} in this JVM, as {@code scripts/skoop} would, capturing what it prints. */
class Cli {
    /** @return [exit code, standard output, standard error] */
    static List run(String... args) {
        def cl = SkoopCommand.commandLine()
        def out = new StringWriter(), err = new StringWriter()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute(args)
        [code, out.toString(), err.toString()]
    }
}
