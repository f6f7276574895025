package com.adsconnect.account.admin;

import com.adsconnect.account.audit.AuditSearch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Audit events as CSV (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled. */
final class AuditCsv {

    static final String HEADER = "id,user_id,action,actor_type,actor_id,occurred_at,source_ip,user_agent,before,after\r\n";

    private AuditCsv() {
    }

    static String line(AuditSearch.Record record, JsonMapper json) {
        return String.join(",", field(record.id()), field(record.userId()), field(record.action()), field(record.actorType()),
                field(record.actorId()), field(record.occurredAt().toString()), field(record.sourceIp()), field(record.userAgent()),
                field(jsonOf(record.before(), json)), field(jsonOf(record.after(), json))) + "\r\n";
    }

    private static String jsonOf(JsonNode node, JsonMapper json) {
        return node == null ? null : json.writeValueAsString(node);
    }

    static String field(String value) {
        if (value == null) {
            return "";
        }
        // a leading =, +, - or @ would be read as a formula by spreadsheets: prefixed with a quote (CSV injection)
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        boolean quote = safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r") || !safe.equals(value);
        return quote ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }
}
