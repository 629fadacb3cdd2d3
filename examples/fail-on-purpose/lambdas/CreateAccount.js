// Only reached with a valid email: the Choice sends anything else to the Fail state.
exports.handler = async ({ username, email }) => {
  console.log(`creating account ${username} for ${email}`);
  return { username, email, status: "ACTIVE" };
};
