package com.adsconnect.account.apidocs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Compares a committed API document with the one a service serves, as YAML trees: every place
 * where they differ, as a JSON pointer with both values, so a failing build says what changed in
 * the contract (not just that a file differs).
 */
final class ContractGuard {

    private ContractGuard() {
    }

    static List<String> differences(String committed, String served) {
        List<String> out = new ArrayList<>();
        compare("", load(committed), load(served), out);
        return out;
    }

    /** An API document (large: a raised code point limit) as maps and lists. */
    static Object load(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(20 * 1024 * 1024);
        return new Yaml(new SafeConstructor(options)).load(yaml);
    }

    private static void compare(String pointer, Object committed, Object served, List<String> out) {
        if (committed instanceof Map<?, ?> a && served instanceof Map<?, ?> b) {
            TreeSet<String> keys = new TreeSet<>();
            a.keySet().forEach(key -> keys.add(String.valueOf(key)));
            b.keySet().forEach(key -> keys.add(String.valueOf(key)));
            for (String key : keys) {
                String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                if (!a.containsKey(key)) {
                    out.add(child + ": added (not in the committed document)");
                } else if (!b.containsKey(key)) {
                    out.add(child + ": removed (in the committed document, no longer served)");
                } else {
                    compare(child, a.get(key), b.get(key), out);
                }
            }
        } else if (committed instanceof List<?> a && served instanceof List<?> b) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String child = pointer + "/" + i;
                if (i >= a.size()) {
                    out.add(child + ": added");
                } else if (i >= b.size()) {
                    out.add(child + ": removed");
                } else {
                    compare(child, a.get(i), b.get(i), out);
                }
            }
        } else if (!Objects.equals(committed, served)) {
            out.add(pointer + ": committed " + abbreviate(committed) + ", served " + abbreviate(served));
        }
    }

    private static String abbreviate(Object value) {
        String text = String.valueOf(value);
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}
