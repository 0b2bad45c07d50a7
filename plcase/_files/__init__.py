"""Reading researchers' text and YAML files: encodings, line ends and strict YAML, shared by every reader."""
