package com.adsconnect.account.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.scheduling.support.ScheduledTaskObservationContext;
import org.springframework.stereotype.Component;

/** No observation, so no span and no trace, for the runs of {@link Untraced} scheduled methods. */
@Component
class UntracedSchedules implements ObservationPredicate {

    @Override
    public boolean test(String name, Observation.Context context) {
        return !(context instanceof ScheduledTaskObservationContext task && task.getMethod().isAnnotationPresent(Untraced.class));
    }
}
