package io.switchboard.events;

/**
 * Work that carries its run's priority. Its records and tasks also carry it as the header
 * {@link Priority#HEADER}, so each hop can honour it without reading the payload.
 */
public interface Prioritized {

    Priority priority();
}
