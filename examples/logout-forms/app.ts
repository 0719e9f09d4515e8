// The same forms as a client would write them: Apollo Client's `gql` templates, one of them
// with a shared fragment.
import { gql } from '@apollo/client';

const VIEWER = gql`
  fragment ViewerUser on Viewer {
    sessionToken
    user { objectId username }
  }
`;

export const LOG_OUT = gql`
  mutation LogOut($input: LogOutInput!) {
    logOut(input: $input) { clientMutationId }
  }
`;

export const LOG_OUT_WITH_VIEWER = gql`
  mutation LogOutWithViewer {
    logOut(input: { clientMutationId: "x" }) { viewer { ...ViewerUser } }
  }
  ${VIEWER}
`;
