package com.adsconnect.account.paging;

import com.adsconnect.account.problem.ApiProblem;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a newest-first list. Callers fetch {@code pageSize + 1} rows: the extra row only
 * tells whether there is a next page, whose {@code nextCursor} is the last item's cursor.
 */
public record CursorPage<T>(List<T> items, String nextCursor) {

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

    public static ApiProblem invalidCursor() {
        return ApiProblem.invalidField("cursor", "is not a cursor this API returned");
    }
}
