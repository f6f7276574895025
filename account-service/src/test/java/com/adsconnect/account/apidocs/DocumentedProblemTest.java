package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.problem.ProblemTypes;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The API documents' problem catalogue, docs/problems.md and the service's problem types say the same. */
class DocumentedProblemTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| ([0-9 /]+) \\|", Pattern.MULTILINE);

    @Test
    void everyDocumentedProblemIsInTheCatalogueWithItsStatus() throws IOException {
        Map<String, Set<Integer>> catalogue = catalogue();
        for (DocumentedProblem problem : DocumentedProblem.values()) {
            assertThat(catalogue).as("docs/problems.md lists %s", problem.slug()).containsKey(problem.slug());
            assertThat(catalogue.get(problem.slug())).as("status of %s in docs/problems.md", problem.slug()).contains(problem.status());
        }
    }

    @Test
    void everyTypeTheServiceAnswersWithIsInTheCatalogue() throws IOException, IllegalAccessException {
        Map<String, Set<Integer>> catalogue = catalogue();
        Set<String> documented = new HashSet<>();
        for (DocumentedProblem problem : DocumentedProblem.values()) {
            documented.add(problem.slug());
        }
        for (Field field : ProblemTypes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == URI.class) {
                String slug = field.get(null).toString().substring(ProblemTypes.BASE.length());
                assertThat(catalogue).as("docs/problems.md lists %s", slug).containsKey(slug);
            }
        }
        // what an operation can answer with is in the API documents (405 is about other methods, not an operation's answer)
        Set<String> notPerOperation = Set.of("method-not-allowed");
        for (String slug : catalogue.keySet()) {
            if (!notPerOperation.contains(slug)) {
                assertThat(documented).as("the API documents know %s", slug).contains(slug);
            }
        }
    }

    private static Map<String, Set<Integer>> catalogue() throws IOException {
        Map<String, Set<Integer>> catalogue = new HashMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("..", "docs", "problems.md")));
        while (row.find()) {
            Set<Integer> statuses = new HashSet<>();
            for (String status : row.group(2).split("/")) {
                statuses.add(Integer.parseInt(status.strip()));
            }
            catalogue.put(row.group(1), statuses);
        }
        return catalogue;
    }
}
