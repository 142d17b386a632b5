/*
 * names.c - generated run names "adjective-noun-N" in MLflow's form
 * (N uniform in 0..1000, at most 20 characters).  The word lists are
 * our own; readers give the form no meaning.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mlp-int.h"

static const char *const adjectives[] = {
	"able", "agile", "amber", "ample", "bold", "brave", "bright", "brisk",
	"calm", "clean", "clever", "cool", "crisp", "deft", "eager", "early",
	"fair", "fast", "fine", "firm", "fleet", "fresh", "gentle", "glad",
	"grand", "green", "happy", "hardy", "honest", "humble", "jolly",
	"keen", "kind", "lively", "loyal", "lucid", "merry", "mild", "neat",
	"noble", "patient", "plain", "polite", "proud", "quick", "quiet",
	"rapid", "ready", "rich", "rosy", "sharp", "shy", "silent", "sleek",
	"smart", "solid", "steady", "stout", "sunny", "swift", "tidy",
	"tough", "true", "vast", "warm", "wise", "witty", "young", "zesty"
};

static const char *const nouns[] = {
	"ant", "badger", "bat", "bear", "bee", "bird", "bison", "boar",
	"carp", "cat", "colt", "crab", "crane", "crow", "deer", "dog",
	"dove", "duck", "eel", "elk", "finch", "fish", "fly", "fox", "frog",
	"goat", "goose", "gull", "hare", "hawk", "hen", "heron", "horse",
	"ibis", "jay", "koi", "lark", "lion", "lynx", "mole", "moth",
	"mouse", "newt", "owl", "ox", "panda", "pig", "pike", "quail",
	"ram", "rat", "raven", "seal", "shrew", "snail", "sow", "squid",
	"swan", "tern", "toad", "trout", "vole", "wasp", "whale", "wolf",
	"wren", "yak", "zebra"
};

static unsigned
pick(unsigned n)
{
	uint32_t	v;

	if (mlp_random(&v, sizeof v) != MLP_OK)
		v = (uint32_t)mlp_now_ms();
	return v % n;
}

int
mlp_run_name_new(char out[21])
{
	char	buf[64];
	int	i;

	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof buf, "%s-%s-%u",
		    adjectives[pick(MLP_ARRAY_SIZE(adjectives))],
		    nouns[pick(MLP_ARRAY_SIZE(nouns))], pick(1001));
		if (strlen(buf) <= 20)
			break;
	}
	buf[20] = '\0';	/* MLflow truncates to 20 characters too */
	memcpy(out, buf, 21);
	return MLP_OK;
}
