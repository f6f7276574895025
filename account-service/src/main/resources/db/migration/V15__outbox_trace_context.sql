-- The W3C traceparent of the work that wrote an event (a request, a scheduled run), so the relay
-- publishes the event in that trace and the consumers continue it. Null outside any trace.
ALTER TABLE outbox_events ADD COLUMN trace_parent text;
