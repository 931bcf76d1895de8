"""Entity resolution with Splink: spec, features, training, prediction, clustering, review, evaluation."""
