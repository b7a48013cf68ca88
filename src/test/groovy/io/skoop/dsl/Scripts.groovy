package io.skoop.dsl

import org.codehaus.groovy.control.CompilerConfiguration

/** Runs DSL text the way skoop does (base script SkoopScript), capturing what it prints. */
class Scripts {
    static Map run(String code, Session session = new Session()) {
        runAs(null, code, session)
    }

    /** Runs {@code code} as the script file {@code fileName} (what stack traces and script lines name), or as ScriptN. */
    static Map runAs(String fileName, String code, Session session = new Session()) {
        def cc = new CompilerConfiguration()
        cc.scriptBaseClass = SkoopScript.name
        def sw = new StringWriter()
        def binding = new Binding(skoopSession: session, out: new PrintWriter(sw, true))
        def shell = new GroovyShell(Scripts.classLoader, binding, cc)
        def result = fileName == null ? shell.evaluate(code) : shell.evaluate(code, fileName)
        [result: result, out: sw.toString()]
    }
}
