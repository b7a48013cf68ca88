package io.skoop.notebook.jupyter

import spock.lang.Shared
import spock.lang.Specification

import javax.imageio.ImageIO
import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path

/**
 * Notebook 01 as a reader sees it: nbconvert turns it (with its committed outputs) into a web page, headless Chromium
 * (Debian's) renders the page — its DOM must hold the packet-path graph as an inline SVG inside the diagnosis output,
 * next to the verdict — and takes a screenshot, in which the verdicts' colours must be seen (REACHABLE pale green,
 * UNREACHABLE red). Chromium runs with no network beyond the file.
 */
class NotebookInBrowserSpec extends Specification {
    @Shared Jupyter jupyter = new Jupyter()
    @Shared Path page

    static final List<String> CHROMIUM = ['chromium', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                          '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

    def setupSpec() {
        assert Files.isExecutable(Path.of('/usr/bin/chromium')): 'chromium is missing: scripts/setup installs it'
        def (int code, String out) = jupyter.run(['jupyter', 'nbconvert', '--to', 'html', '--output-dir', jupyter.home.toString(),
                                                  Jupyter.ROOT.resolve('notebooks/01-first-diagnosis.ipynb').toString()])
        assert code == 0: out
        page = jupyter.home.resolve('01-first-diagnosis.html')
    }

    def cleanupSpec() {
        jupyter.close()
    }

    List<String> chromium(String... args) {
        CHROMIUM + ["--user-data-dir=${jupyter.home.resolve('chromium-' + System.nanoTime())}".toString()] + (args as List)
    }

    def "the rendered page holds the graph as SVG inside the diagnosis' output, after its verdict"() {
        when:
        def (int code, String dom) = jupyter.run(chromium('--dump-dom', page.toUri().toString()), 120)
        int diagnosis = dom.indexOf('<div class="skoop-diagnosis"')
        int verdict = dom.indexOf('REACHABLE</span>', diagnosis)
        int graph = dom.indexOf('<div class="skoop-graph">', diagnosis)
        int svg = dom.indexOf('<svg', graph)

        then:
        code == 0
        diagnosis > 0
        verdict > diagnosis
        graph > verdict
        svg > graph
        dom.indexOf('<title>request/pod:default/client</title>', svg) > svg
        dom.indexOf('</svg>', svg) > svg
    }

    def "a screenshot shows the verdicts in their colours"() {
        given:
        Path png = jupyter.home.resolve('01.png')

        when:
        def (int code, String out) = jupyter.run(chromium('--window-size=1200,4000', "--screenshot=$png".toString(), page.toUri().toString()), 120)
        BufferedImage img = ImageIO.read(png.toFile())
        Map<Integer, Integer> colours = [:].withDefault { 0 }
        for (int y = 0; y < img.height; y += 2) {
            for (int x = 0; x < img.width; x += 2) {
                colours[img.getRGB(x, y) & 0xffffff]++
            }
        }

        then:
        code == 0
        img.width == 1200
        colours[0x98fb98] > 200    // REACHABLE badges, delivered branches and healthy hops: pale green
        colours[0xff0000] > 50     // UNREACHABLE, FATAL and the hop that breaks the flow: red
    }
}
