package dev.credentials.spring.web;

import dev.credentials.web.ConsoleFiles;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The admin console's {@link ConsoleFiles} under {@code <base-path>/console/}. The page calls only the REST API beside
 * it; only the named files exist, so no path a client sends reaches the class path. Stateless and thread-safe.
 */
@Controller
@RequestMapping("${credentials.web.base-path:/api/credentials}/console")
public class ConsoleController {
    private final ConsoleFiles files = ConsoleFiles.load();

    ConsoleController() {
    }

    /**
     * Without the trailing slash, the page's relative links would miss: send the browser to {@code console/}.
     *
     * @return a redirect to {@code console/}
     */
    @GetMapping("")
    public ResponseEntity<byte[]> redirect() {
        return CredentialsController.entity(ConsoleFiles.redirectToPage());
    }

    /**
     * The page.
     *
     * @return the page
     */
    @GetMapping("/")
    public ResponseEntity<byte[]> page() {
        return serve(ConsoleFiles.PAGE);
    }

    /**
     * The style sheet or the script; 404 for any other name.
     *
     * @param file the file
     * @return the style sheet or the script; 404 for any other name
     */
    @GetMapping("/{file:[a-z]+\\.(?:js|css|html)}")
    public ResponseEntity<byte[]> file(@PathVariable("file") String file) {
        return serve(file);
    }

    private ResponseEntity<byte[]> serve(String name) {
        return CredentialsController.entity(files.file(name).orElseGet(ConsoleFiles::notFound));
    }
}
