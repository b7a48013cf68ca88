package io.skoop.render

import io.skoop.testsupport.Diagnoses
import java.nio.ByteBuffer
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Document
import org.w3c.dom.Element
import org.xml.sax.InputSource
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import spock.lang.Specification
import spock.lang.TempDir

/**
 * {@link ImageRenderer} with each {@link LayoutEngine}: Graphviz's dot program (scripts/setup installs it) and the
 * bundled J2V8 engine that needs no program. Render times go to standard output, for information only.
 */
class ImageRendererSpec extends Specification {
    /** Both engines; the command-line one only where dot is installed. */
    static final List<LayoutEngine> ENGINES = LayoutEngine.values().findAll {
        it != LayoutEngine.COMMAND_LINE || LayoutEngine.dotOnPath(System.getenv('PATH'))
    }
    static final List<String> HOPS = ['pod:default/client', 'node:node-1', 'node:node-3', 'pod:default/sleeper']

    @TempDir
    Path tmp

    static String timed(String what, Closure<String> render) {
        long t0 = System.nanoTime()
        String out = render()
        println "ImageRendererSpec: $what in ${(System.nanoTime() - t0).intdiv(1_000_000)} ms"
        out
    }

    static void isSvgWithHops(String svg) {
        def factory = DocumentBuilderFactory.newInstance()
        factory.setFeature('http://apache.org/xml/features/nonvalidating/load-external-dtd', false)
        Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)))   // well-formed XML, or this throws
        assert doc.documentElement.tagName == 'svg'
        def texts = elements(doc, 'text')*.textContent
        assert HOPS.every { it in texts }
        assert texts.contains('FATAL')
        assert texts.contains('no reply was sent')
        assert texts.contains('veth eth0 -> vethec56b3b9')
        assert elements(doc, 'path').any { it.getAttribute('fill') == 'red' }    // the FATAL hop, a rounded box
    }

    static List<Element> elements(Document doc, String tag) {
        def nodes = doc.getElementsByTagName(tag)
        (0..<nodes.length).collect { nodes.item(it) as Element }
    }

    def "SVG with #engine (COMMAND_LINE: Graphviz's dot; JAVASCRIPT: graphviz-java's J2V8 engine, no program needed)"() {
        given:
        def r = new ImageRenderer(engine)
        def d = Diagnoses.refused()

        when:
        String first = timed("SVG, $engine, first render of the JVM with it") { r.svg(d) }
        String second = timed("SVG, $engine, second") { r.svg(d) }

        then:
        isSvgWithHops(first)
        second == first
        !first.contains('&#45;&gt;')    // written as ->, which svgSalamander draws with its spaces

        where:
        engine << ENGINES
    }

    def "PNG with #engine: the PNG signature, an RGBA image of a plausible size for four hops in a row"() {
        when:
        byte[] png = new ImageRenderer(engine).png(Diagnoses.refused())
        def header = ByteBuffer.wrap(png, 16, 8)

        then:
        png[0..7] == [0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a].collect { (it instanceof String ? (int) it.charAt(0) : it) as byte }
        new String(png, 12, 4, 'US-ASCII') == 'IHDR'
        int width = header.getInt(), height = header.getInt()
        width in 800..2000    // request: four hops and three labelled links left to right
        height in 150..600    // two clusters, one hop high each
        png.length > 10_000

        where:
        engine << ENGINES
    }

    def "dot is found on a PATH only as an executable file named dot"() {
        given:
        Path withDot = Files.createDirectory(tmp.resolve('bin'))
        Files.createFile(withDot.resolve('dot'), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rwxr-xr-x')))
        Path notExecutable = Files.createDirectory(tmp.resolve('bin2'))
        Files.createFile(notExecutable.resolve('dot'))
        Path dirNamedDot = Files.createDirectories(tmp.resolve('bin3/dot'))

        expect:
        LayoutEngine.dotOnPath("/nonexistent:$withDot")
        !LayoutEngine.dotOnPath("$notExecutable:${dirNamedDot.parent}::")
        !LayoutEngine.dotOnPath('')
        !LayoutEngine.dotOnPath(null)
    }
}
