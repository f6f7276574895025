package com.adsconnect.account.paging;

import com.adsconnect.account.problem.ApiProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One page of a newest-first list. Callers fetch {@code pageSize + 1} rows: the extra row only
 * tells whether there is a next page, whose {@code nextCursor} is the last item's cursor.
 */
public record CursorPage<T>(List<T> items,
        @Schema(description = "Send as cursor to get the next page; null on the last page") @Nullable String nextCursor) {

    public static final int DEFAULT_LIMIT = 20;

    public static <T> CursorPage<T> of(List<T> fetched, int pageSize, Function<T, String> cursorOf) {
        boolean more = fetched.size() > pageSize;
        List<T> items = more ? fetched.subList(0, pageSize) : fetched;
        return new CursorPage<>(items, more ? cursorOf.apply(items.getLast()) : null);
    }

    /** The requested page size, or a validation problem naming {@code limit}. */
    public static int pageSize(Integer limit, int max) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > max) {
            throw ApiProblem.invalidField("limit", "must be between 1 and " + max);
        }
        return size;
    }

    /** The opaque cursor of a list ordered by a numeric id; {@code kind} tells lists' cursors apart. */
    public static String idCursor(String kind, long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The id in a cursor of {@link #idCursor}, or an invalid-cursor problem. */
    public static long idOf(String kind, String cursor) {
        String value = valueOf(kind, cursor);
        try {
            long id = Long.parseLong(value);
            if (id <= 0) {
                throw invalidCursor();
            }
            return id;
        } catch (NumberFormatException e) {
            throw invalidCursor();
        }
    }

    /** The opaque cursor of a list ordered by something else than one id ({@code value}: the list's own encoding). */
    public static String cursor(String kind, String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
    }

    /** The value in a cursor of {@link #cursor}, or an invalid-cursor problem. */
    public static String valueOf(String kind, String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!decoded.startsWith(kind + ":")) {
                throw invalidCursor();
            }
            return decoded.substring(kind.length() + 1);
        } catch (IllegalArgumentException e) {
            throw invalidCursor();
        }
    }

    public static ApiProblem invalidCursor() {
        return ApiProblem.invalidField("cursor", "is not a cursor this API returned");
    }
}
