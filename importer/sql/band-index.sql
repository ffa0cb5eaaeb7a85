-- A zoom band's spatial index (tiles read the band by bbox), built once its shares are all in.
CREATE INDEX ON {{schema}}.{{table}} USING gist (geom);
