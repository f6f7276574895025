package com.adsconnect.gateway.correlation;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import org.springframework.stereotype.Component;

/**
 * Spans and metrics name a request's path, never its query: a query may carry a credential (an
 * email's one-click unsubscribe token, a provider's callback code), and the gateway's call to
 * account-service records its whole URL. Applied to every observation before its span or timer
 * is written.
 */
@Component
class QueryStringRedaction implements ObservationFilter {

    @Override
    public Observation.Context map(Observation.Context context) {
        for (KeyValue keyValue : context.getHighCardinalityKeyValues()) {
            redact(context, keyValue, true);
        }
        for (KeyValue keyValue : context.getLowCardinalityKeyValues()) {
            redact(context, keyValue, false);
        }
        return context;
    }

    private static void redact(Observation.Context context, KeyValue keyValue, boolean highCardinality) {
        String value = keyValue.getValue();
        int query = value.indexOf('?');
        if (query < 0 || !(keyValue.getKey().startsWith("http.") || keyValue.getKey().equals("uri"))) {
            return;
        }
        KeyValue withoutQuery = KeyValue.of(keyValue.getKey(), value.substring(0, query));
        if (highCardinality) {
            context.addHighCardinalityKeyValue(withoutQuery);
        } else {
            context.addLowCardinalityKeyValue(withoutQuery);
        }
    }
}
