package io.skoop.dsl

import org.codehaus.groovy.control.CompilerConfiguration

/** Runs DSL text the way skoop does (base script SkoopScript), capturing what it prints. */
class Scripts {
    static Map run(String code, Session session = new Session()) {
        def cc = new CompilerConfiguration()
        cc.scriptBaseClass = SkoopScript.name
        def sw = new StringWriter()
        def binding = new Binding(skoopSession: session, out: new PrintWriter(sw, true))
        def result = new GroovyShell(Scripts.classLoader, binding, cc).evaluate(code)
        [result: result, out: sw.toString()]
    }
}
